{{ config(**council_incremental_config()) }}
-- Periods of care (a child's continuous time looked after), one row per child and period, from the repaired
-- SSDA903 episodes. A period is open at the end of a day when it started on or before it and has not ended (no end
-- date, or an end date after it): a child whose period ends on 31 March is not looked after at 31 March (as the DfE
-- counts children looked after at 31 March). Periods of a child never overlap, so periods open at a date count
-- children, and cared-for children at a quarter end = at the previous quarter end + periods started in the quarter
-- - periods ended in it.
with

episodes as (

    select * from {{ ref('int_social_care__care_episodes') }}
    where {{ councils_to_rebuild() }}

),

periods as (

    select
        la_code,
        child_key,
        period_number,
        min(episode_start_date) as period_start_date,
        count(*) as episode_count,
        max(episode_number) as last_episode_number

    from episodes
    group by 1, 2, 3

)

select
    periods.la_code,
    periods.child_key,
    periods.period_number,
    periods.period_start_date,
    last_episode.episode_end_date as period_end_date,
    case when last_episode.episode_end_date is not null then last_episode.reason_episode_ceased end
        as reason_period_ceased,
    periods.episode_count,
    {{ council_inputs_watermark('periods.la_code') }} as _inputs_watermark

from periods
inner join episodes as last_episode
    on last_episode.la_code = periods.la_code
    and last_episode.child_key = periods.child_key
    and last_episode.episode_number = periods.last_episode_number
