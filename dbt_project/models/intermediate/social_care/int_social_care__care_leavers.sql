-- Young people who left care as care leavers, one row per young person, from the repaired SSDA903 episodes: the
-- latest period of care that ended after their 16th birthday, for a reason that makes them a care leaver (E4A, E4B
-- going home, E13 living with someone without parental responsibility, E5, E6 independent living, E7 adult social
-- care, E8 other, E9 custody, E14 remand ended, E17 staying put), with 13 weeks (91 days) or more looked after
-- since their 14th birthday, counting every period of care up to then. Not adoption, special guardianship or child
-- arrangements orders, death, transfer to another council, or a repaired end with an unknown reason (E99).
-- Young people who left care before the episodes delivered are known only from OC3 (int_social_care__care_leaver_contacts).
with

periods as (

    select * from {{ ref('int_social_care__care_periods') }}

),

children as (

    select * from {{ ref('stg_ssda903__children') }}

),

leaving as (

    select
        periods.la_code,
        periods.child_key,
        periods.period_number,
        periods.period_end_date,
        children.birth_date

    from periods
    inner join children
        on children.la_code = periods.la_code
        and children.child_key = periods.child_key
    where periods.reason_period_ceased in ('E4A', 'E4B', 'E13', 'E5', 'E6', 'E7', 'E8', 'E9', 'E14', 'E17')
        and periods.period_end_date > (children.birth_date + interval '16 years')::date

),

since_fourteen as (

    select
        leaving.la_code,
        leaving.child_key,
        leaving.period_number,
        leaving.period_end_date,
        leaving.birth_date,
        sum(greatest(0,
            least(coalesce(earlier.period_end_date, leaving.period_end_date), leaving.period_end_date)
            - greatest(earlier.period_start_date, (leaving.birth_date + interval '14 years')::date)
        )) as days_looked_after_since_14

    from leaving
    inner join periods as earlier
        on earlier.la_code = leaving.la_code
        and earlier.child_key = leaving.child_key
        and earlier.period_number <= leaving.period_number
    group by 1, 2, 3, 4, 5

),

qualifying as (

    select
        *,
        row_number() over (partition by la_code, child_key order by period_number desc) as latest_first

    from since_fourteen
    where days_looked_after_since_14 >= 91

)

select
    la_code,
    child_key,
    birth_date,
    period_end_date as left_care_date,
    days_looked_after_since_14

from qualifying
where latest_first = 1
