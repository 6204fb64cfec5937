{{ config(**council_incremental_config()) }}
-- Who makes up the adoption measures of each period, one row per council, measure, period, child and role.
-- contribution is 1 per child, except for the averages in days, whose numerator rows carry the child's days. The
-- year-to-date measures count children whose period of care ended (ceased to be looked after) from 1 April to the
-- period end. See _social_care__measures.md.
--   PI4.1  ceased to be looked after because adopted (E11, E12) / ceased to be looked after, year to date
--   PI4.2  ceased because a special guardianship order was made (E43-E46) / ceased to be looked after
--   CSC016 looked after at the period end under a placement order (legal status E1)
--   CSC017 adopted in the year to date
--   PI4.4  adopted, who moved in with their adoptive family (first placement A3-A6) less than 14 months after
--          entering care / adopted with that date known
--   PI4.5  days from entering care to moving in with the adoptive family / adopted with that date known (A1)
--   PI4.6  days from the court's authority to place (placement order E1, or consent D1) to the match with the
--          adopters (AD1 DATE_MATCH) / adopted with both dates known (A2)
--   PI4.7  days from entering care to moving in with the carers who adopted them (the start of the placement that
--          became the adoptive one, earlier when foster carers adopt) / adopted with that date known
with

periods as (

    select * from {{ ref('int_social_care__reporting_periods') }}
    where {{ councils_to_rebuild() }}

),

care_periods as (

    select * from {{ ref('int_social_care__care_periods') }}
    where {{ councils_to_rebuild() }}

),

episodes as (

    select * from {{ ref('int_social_care__care_episodes') }}
    where {{ councils_to_rebuild() }}

),

adoptions as (

    select * from {{ ref('int_social_care__adoptions') }}
    where {{ councils_to_rebuild() }}

),

ceased as (

    select
        periods.la_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        care_periods.child_key,
        care_periods.reason_period_ceased

    from care_periods
    inner join periods
        on periods.la_code = care_periods.la_code
        and periods.period_type = 'year_to_date'
        and care_periods.period_end_date between periods.period_start and periods.period_end

),

adopted as (

    select
        periods.la_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        adoptions.child_key,
        adoptions.entered_care_date,
        adoptions.placed_for_adoption_date,
        adoptions.moved_in_with_adopters_date,
        adoptions.authority_to_place_date,
        adoptions.match_date

    from adoptions
    inner join periods
        on periods.la_code = adoptions.la_code
        and periods.period_type = 'year_to_date'
        and adoptions.adoption_date between periods.period_start and periods.period_end

),

placement_orders as (

    select distinct
        periods.la_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        episodes.child_key

    from episodes
    inner join periods
        on periods.la_code = episodes.la_code
        and periods.period_type = 'snapshot'
        and episodes.episode_start_date <= periods.period_end
        and (episodes.episode_end_date is null or episodes.episode_end_date > periods.period_end)
    where episodes.legal_status = 'E1'

),

members as (

    select la_code, period_type, period_start, period_end, child_key, 'PI4.1' as measure_ref, 'denominator' as role,
        1 as contribution
    from ceased
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.1', 'numerator', 1 from ceased
    where reason_period_ceased in ('E11', 'E12')
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.2', 'denominator', 1 from ceased
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.2', 'numerator', 1 from ceased
    where reason_period_ceased in ('E43', 'E44', 'E45', 'E46')
    union all
    select la_code, period_type, period_start, period_end, child_key, 'CSC016', 'numerator', 1 from placement_orders
    union all
    select la_code, period_type, period_start, period_end, child_key, 'CSC017', 'numerator', 1 from adopted
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.4', 'denominator', 1 from adopted
    where placed_for_adoption_date is not null
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.4', 'numerator', 1 from adopted
    where placed_for_adoption_date < (entered_care_date + interval '14 months')::date
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.5', 'denominator', 1 from adopted
    where placed_for_adoption_date is not null
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.5', 'numerator',
        placed_for_adoption_date - entered_care_date
    from adopted
    where placed_for_adoption_date is not null
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.6', 'denominator', 1 from adopted
    where authority_to_place_date is not null and match_date is not null
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.6', 'numerator',
        match_date - authority_to_place_date
    from adopted
    where authority_to_place_date is not null and match_date is not null
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.7', 'denominator', 1 from adopted
    where moved_in_with_adopters_date is not null
    union all
    select la_code, period_type, period_start, period_end, child_key, 'PI4.7', 'numerator',
        moved_in_with_adopters_date - entered_care_date
    from adopted
    where moved_in_with_adopters_date is not null

)

select
    la_code,
    measure_ref,
    period_type,
    period_start,
    period_end,
    child_key,
    role,
    sum(contribution)::numeric as contribution,
    {{ council_inputs_watermark() }} as _inputs_watermark

from members
group by 1, 2, 3, 4, 5, 6, 7
