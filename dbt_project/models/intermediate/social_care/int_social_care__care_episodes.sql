{{ config(**council_incremental_config()) }}
-- SSDA903 episodes repaired the way the public 903 tools repair them (Social Finance / LIIA liia-tools "fix
-- episodes", stage 1 and stage 2), adapted to one snapshot extract, then grouped into periods of care and placements.
--
-- Stage 1, an episode left open (no DEC) although the child has a later episode:
--   RULE_3  it duplicates the next or previous episode (same RNE, legal status, placement, provider, placement
--           postcode and URN): deleted;
--   RULE_1A the next episode starts a new period of care (RNE S): DEC = the day before the next DECOM, REC = E99;
--   RULE_1  otherwise the child stayed looked after: DEC = the next DECOM, REC = X1 (REASON_PLACE_CHANGE = LIIAF
--           when the next episode changes the placement).
-- Stage 2, on what is left:
--   RULE_4  an episode that overlaps the next (DEC after the next DECOM) ends when the next starts;
--   RULE_5  an episode that ends X1 (the child stays looked after) before the next starts is extended to it.
-- LIIA's RULE_2 (an open episode missing from a later year's return is closed at that year's 31 March) does not
-- arise in a single snapshot: the last open episode of a child is open on the extract date.
--
-- A period of care starts at a child's first episode and whenever the previous episode ended with a reason other
-- than X1 or ended before this one started. A placement starts with the period and at every change of carer
-- (RNE P or B); legal status changes (L) and changes of placement type with the same carer (T, U) continue it.
with

episodes as (

    select * from {{ ref('stg_ssda903__episodes') }}
    where {{ councils_to_rebuild() }}

),

stage1_neighbours as (

    select
        *,
        lead(episode_start_date) over child_episodes as next_start_date,
        lead(reason_new_episode) over child_episodes as next_reason_new_episode,
        lead(row(reason_new_episode, legal_status, placement_type, placement_provider, placement_postcode_sector,
                 placement_urn)::text) over child_episodes as next_signature,
        lag(row(reason_new_episode, legal_status, placement_type, placement_provider, placement_postcode_sector,
                placement_urn)::text) over child_episodes as previous_signature,
        row(reason_new_episode, legal_status, placement_type, placement_provider, placement_postcode_sector,
            placement_urn)::text as signature

    from episodes
    window child_episodes as (partition by la_code, child_key order by episode_start_date)

),

stage1_rules as (

    select
        *,
        case
            when episode_end_date is not null or next_start_date is null then null
            when signature = next_signature or signature = previous_signature then 'RULE_3'
            when next_reason_new_episode = 'S' then 'RULE_1A'
            else 'RULE_1'
        end as stage1_rule

    from stage1_neighbours

),

stage1 as (

    select
        la_code,
        child_key,
        episode_start_date,
        reason_new_episode,
        legal_status,
        category_of_need,
        placement_type,
        placement_provider,
        case stage1_rule
            when 'RULE_1' then next_start_date
            when 'RULE_1A' then next_start_date - 1
            else episode_end_date
        end as episode_end_date,
        case stage1_rule
            when 'RULE_1' then 'X1'
            when 'RULE_1A' then 'E99'
            else reason_episode_ceased
        end as reason_episode_ceased,
        case
            when stage1_rule = 'RULE_1' and next_reason_new_episode in ('P', 'B', 'T', 'U') then 'LIIAF'
            else reason_placement_change
        end as reason_placement_change,
        home_postcode_sector,
        placement_postcode_sector,
        placement_urn,
        stage1_rule

    from stage1_rules
    where stage1_rule is distinct from 'RULE_3'

),

stage2_neighbours as (

    select
        *,
        lead(episode_start_date) over (partition by la_code, child_key order by episode_start_date) as next_start_date

    from stage1

),

stage2 as (

    select
        *,
        case
            when next_start_date is not null and episode_end_date > next_start_date then 'RULE_4'
            when next_start_date is not null and episode_end_date < next_start_date and reason_episode_ceased = 'X1'
                then 'RULE_5'
        end as stage2_rule

    from stage2_neighbours

),

repaired as (

    select
        la_code,
        child_key,
        episode_start_date,
        case when stage2_rule is not null then next_start_date else episode_end_date end as episode_end_date,
        reason_new_episode,
        legal_status,
        category_of_need,
        placement_type,
        placement_provider,
        reason_episode_ceased,
        reason_placement_change,
        home_postcode_sector,
        placement_postcode_sector,
        placement_urn,
        nullif(concat_ws(' | ', stage1_rule, stage2_rule), '') as repair_rule

    from stage2

),

boundaries as (

    select
        *,
        lag(episode_end_date) over child_episodes as previous_end_date,
        lag(reason_episode_ceased) over child_episodes as previous_reason_ceased,
        row_number() over child_episodes as episode_number

    from repaired
    window child_episodes as (partition by la_code, child_key order by episode_start_date)

),

flagged as (

    select
        *,
        case
            when episode_number = 1 then 1
            when previous_reason_ceased is distinct from 'X1' then 1
            when previous_end_date < episode_start_date then 1
            else 0
        end as starts_period

    from boundaries

),

periods_numbered as (

    select
        *,
        sum(starts_period) over (
            partition by la_code, child_key order by episode_start_date rows unbounded preceding
        ) as period_number

    from flagged

),

placements_numbered as (

    select
        *,
        sum(case when starts_period = 1 or reason_new_episode in ('P', 'B') then 1 else 0 end) over (
            partition by la_code, child_key order by episode_start_date rows unbounded preceding
        ) as placement_number

    from periods_numbered

)

select
    la_code,
    child_key,
    episode_number,
    period_number,
    placement_number,
    episode_start_date,
    episode_end_date,
    reason_new_episode,
    legal_status,
    category_of_need,
    placement_type,
    placement_provider,
    reason_episode_ceased,
    reason_placement_change,
    home_postcode_sector,
    placement_postcode_sector,
    placement_urn,
    repair_rule,
    {{ council_inputs_watermark() }} as _inputs_watermark

from placements_numbered
