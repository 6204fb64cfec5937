-- Each child's time on child protection plans as spells: plans that overlap or follow on the same day (a plan
-- ending on the day the next starts) are one spell, so a child is on at most one spell on any day and counts of
-- spells open at a date are counts of children. A spell is open at the end of a day when it started on or before
-- it and has not ended (no end date, or an end date after it): a plan ending on a quarter's last day is not open
-- at that quarter end. So children on a plan at a quarter end = at the previous quarter end + spells started in
-- the quarter - spells ended in it.
with

plans as (

    select
        la_code,
        child_key,
        plan_start_date,
        coalesce(plan_end_date, date '9999-12-31') as plan_reach

    from {{ ref('stg_cin__protection_plans') }}

),

reached as (

    select
        *,
        max(plan_reach) over (
            partition by la_code, child_key
            order by plan_start_date, plan_reach
            rows between unbounded preceding and 1 preceding
        ) as earlier_reach

    from plans

),

flagged as (

    select
        *,
        case when earlier_reach is null or plan_start_date > earlier_reach then 1 else 0 end as starts_spell

    from reached

),

numbered as (

    select
        *,
        sum(starts_spell) over (
            partition by la_code, child_key
            order by plan_start_date, plan_reach
            rows between unbounded preceding and current row
        ) as spell_number

    from flagged

)

select
    la_code,
    child_key,
    spell_number,
    min(plan_start_date) as spell_start_date,
    nullif(max(plan_reach), date '9999-12-31') as spell_end_date,
    count(*) as plan_count

from numbered
group by 1, 2, 3
