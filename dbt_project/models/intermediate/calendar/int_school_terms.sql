-- Terms and half terms of each council's school calendar inside the reporting window of each domain it delivered
-- (a period is reported when it starts on or after the window's start and ends on or before its end, as for
-- int_financial_quarters). Columns shared by every calendar model, so marts.dim_period can union them.
with

windows as (

    select * from {{ ref('stg_extract__manifests') }}

),

school_periods as (

    select * from {{ ref('int_school_term_dates') }}

)

select
    windows.la_code,
    windows.domain,
    school_periods.period_type,
    school_periods.period_start,
    school_periods.period_end,
    school_periods.period_label,
    {{ financial_year('school_periods.period_end') }} as financial_year,
    school_periods.academic_year

from school_periods
inner join windows
    on windows.la_code = school_periods.la_code
    and school_periods.period_start >= windows.window_start
    and school_periods.period_end <= windows.window_end
