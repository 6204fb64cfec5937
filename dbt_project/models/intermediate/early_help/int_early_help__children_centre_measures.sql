{{ config(**council_incremental_config()) }}
-- P&EH003, rolling 12 months to the end of each financial quarter: of the registered children under three at the
-- quarter end who are vulnerable on that day (a child in need, on a child protection plan or looked after, as
-- social care notified the centre: vulnerability_start_date inclusive to vulnerability_end_date exclusive), the
-- percentage who attended a children's centre session 3 or more times (days) in the 12 months to it.
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'early_help'
        and {{ councils_to_rebuild() }}

),

periods as (

    select
        la_code,
        ((period_end + 1) - interval '12 months')::date as period_start,
        period_end

    from quarters

),

registrations as (

    select * from {{ ref('stg_early_help__children_centre_registrations') }}
    where {{ councils_to_rebuild() }}

),

attendances as (

    select * from {{ ref('stg_early_help__children_centre_attendances') }}
    where {{ councils_to_rebuild() }}

),

cohort as (

    select
        periods.la_code,
        periods.period_start,
        periods.period_end,
        registrations.child_key

    from periods
    inner join registrations
        on registrations.la_code = periods.la_code
        and registrations.registration_date <= periods.period_end
        and registrations.date_of_birth <= periods.period_end
        and (registrations.date_of_birth + interval '3 years')::date > periods.period_end
        and registrations.vulnerability is not null
        and registrations.vulnerability_start_date <= periods.period_end
        and (registrations.vulnerability_end_date is null or registrations.vulnerability_end_date > periods.period_end)

),

attended as (

    select
        cohort.la_code,
        cohort.period_start,
        cohort.period_end,
        cohort.child_key,
        count(distinct attendances.attendance_date) as days_attended

    from cohort
    left join attendances
        on attendances.la_code = cohort.la_code
        and attendances.child_key = cohort.child_key
        and attendances.attendance_date between cohort.period_start and cohort.period_end
    group by 1, 2, 3, 4

),

counts as (

    select
        periods.la_code,
        periods.period_start,
        periods.period_end,
        count(attended.child_key) filter (where attended.days_attended >= 3) as engaged,
        count(attended.child_key) as vulnerable_children

    from periods
    left join attended
        on attended.la_code = periods.la_code
        and attended.period_end = periods.period_end
    group by 1, 2, 3

)

select
    la_code,
    'P&EH003' as measure_ref,
    'rolling_12_months' as period_type,
    period_start,
    period_end,
    engaged::numeric as numerator,
    vulnerable_children::numeric as denominator,
    trim_scale(100.0 * engaged / nullif(vulnerable_children, 0)) as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from counts
