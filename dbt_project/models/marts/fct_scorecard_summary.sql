-- The covering report's counts: per council, source, section (and 'All sections') and reporting period, how many
-- measures are red, amber, green or not rated (n/a), and how many are improving, static or worsening against the
-- previous period. A reporting period is a financial quarter (every quarterly, snapshot, year-to-date, rolling or
-- termly figure reported in it; the latest one where a measure has several), a financial year (the year-end
-- figures) or a month (monthly operational measures).
with

scorecard as (

    select * from {{ ref('fct_scorecard') }}

),

reporting as (

    select
        scorecard.*,
        case period_type when 'financial_year' then 'year' when 'month' then 'month' else 'quarter' end
            as reporting_period,
        case
            when period_type in ('financial_year', 'month') then period_end
            else (date_trunc('quarter', period_end) + interval '3 months')::date - 1
        end as reporting_period_end

    from scorecard

),

latest as (

    select distinct on (la_code, source, measure_ref, reporting_period, reporting_period_end) *
    from reporting
    order by la_code, source, measure_ref, reporting_period, reporting_period_end, period_end desc, period_type

),

counted as (

    select
        la_code,
        source,
        case when grouping(section) = 1 then 'All sections' else coalesce(section, 'Not in the catalogue') end
            as section,
        reporting_period,
        reporting_period_end,
        count(*) as measures,
        count(*) filter (where rag = 'red') as red,
        count(*) filter (where rag = 'amber') as amber,
        count(*) filter (where rag = 'green') as green,
        count(*) filter (where rag is null) as not_rated,
        count(*) filter (where rag_override is not null) as overridden,
        count(*) filter (where direction_of_travel = 'improving') as improving,
        count(*) filter (where direction_of_travel = 'static') as static,
        count(*) filter (where direction_of_travel = 'worsening') as worsening,
        count(*) filter (where direction_of_travel is null) as no_direction

    from latest
    group by grouping sets (
        (la_code, source, section, reporting_period, reporting_period_end),
        (la_code, source, reporting_period, reporting_period_end)
    )

)

select
    la_code::text as la_code,
    source::text as source,
    section::text as section,
    reporting_period::text as reporting_period,
    reporting_period_end::date as period_end,
    (case reporting_period
        when 'year' then {{ financial_year_label(financial_year('reporting_period_end')) }} || ' year end'
        when 'month' then to_char(reporting_period_end, 'Mon YYYY')
        else {{ financial_year_label(financial_year('reporting_period_end')) }}
            || ' Q' || (((extract(month from reporting_period_end)::int + 8) / 3) % 4 + 1)::text
    end)::text as period_label,
    {{ financial_year('reporting_period_end') }}::integer as financial_year,
    measures::integer as measures,
    red::integer as red,
    amber::integer as amber,
    green::integer as green,
    not_rated::integer as not_rated,
    overridden::integer as overridden,
    improving::integer as improving,
    static::integer as static,
    worsening::integer as worsening,
    no_direction::integer as no_direction

from counted
