{{ config(**council_incremental_config()) }}
-- Periods of care from the SSDA903 episodes: a period starts with an episode whose reason for new episode is S
-- (started to be looked after) and runs through the child's following episodes until one ends with a reason other
-- than X1 (episode ceases, child stays looked after). period_end is the date that last episode ceased (the child
-- is no longer looked after from that day); blank while the child is still looked after.
with

episodes as (

    select * from {{ ref('stg_health__care_episodes') }}
    where {{ councils_to_rebuild() }}

),

numbered as (

    select
        *,
        count(*) filter (where reason_new_episode = 'S') over (
            partition by la_code, child_key
            order by episode_start_date
            rows between unbounded preceding and current row
        ) as period_number

    from episodes

),

periods as (

    select
        la_code,
        child_key,
        period_number,
        min(episode_start_date) as period_start,
        max(episode_start_date) as last_episode_start

    from numbered
    where period_number > 0
    group by 1, 2, 3

)

select
    periods.la_code,
    periods.child_key,
    periods.period_start,
    case when last_episode.reason_episode_ceased <> 'X1' then last_episode.episode_end_date end as period_end,
    {{ council_inputs_watermark('periods.la_code') }} as _inputs_watermark

from periods
inner join numbered as last_episode
    on last_episode.la_code = periods.la_code
    and last_episode.child_key = periods.child_key
    and last_episode.period_number = periods.period_number
    and last_episode.episode_start_date = periods.last_episode_start
