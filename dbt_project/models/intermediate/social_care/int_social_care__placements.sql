{{ config(**council_incremental_config()) }}
-- Placements (time with one carer), one row per child and placement, from the repaired SSDA903 episodes: a
-- placement starts with each period of care and at every change of carer (RNE P or B) and lasts through legal
-- status changes and changes of placement type with the same carer (a foster placement becoming the child's
-- adoptive placement with the same carers is one placement). placement_type is the type it started with;
-- adoptive_start_date is the first day of an episode of it placed for adoption (A3-A6), if any.
with

episodes as (

    select * from {{ ref('int_social_care__care_episodes') }}
    where {{ councils_to_rebuild() }}

),

placements as (

    select
        la_code,
        child_key,
        period_number,
        placement_number,
        min(episode_start_date) as placement_start_date,
        min(episode_number) as first_episode_number,
        max(episode_number) as last_episode_number,
        min(episode_start_date) filter (where placement_type in ('A3', 'A4', 'A5', 'A6')) as adoptive_start_date

    from episodes
    group by 1, 2, 3, 4

)

select
    placements.la_code,
    placements.child_key,
    placements.period_number,
    placements.placement_number,
    placements.placement_start_date,
    last_episode.episode_end_date as placement_end_date,
    first_episode.placement_type,
    first_episode.placement_provider,
    placements.adoptive_start_date,
    {{ council_inputs_watermark('placements.la_code') }} as _inputs_watermark

from placements
inner join episodes as first_episode
    on first_episode.la_code = placements.la_code
    and first_episode.child_key = placements.child_key
    and first_episode.episode_number = placements.first_episode_number
inner join episodes as last_episode
    on last_episode.la_code = placements.la_code
    and last_episode.child_key = placements.child_key
    and last_episode.episode_number = placements.last_episode_number
