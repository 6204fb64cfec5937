-- The statistical-neighbour and national averages the returns print, per council, measure and financial year (the
-- scorecard's own year). Printed rows that add up to one measure add their benchmarks too.
with

printed as (

    select * from {{ ref('stg_returns__values') }}
    where value_kind in ('neighbour_average', 'england_value')

),

refs as (

    select * from {{ ref('measure_refs') }}

),

mapped as (

    select
        printed.*,
        coalesce(refs.measure_ref, printed.loaded_measure_ref) as measure_ref

    from printed
    left join refs
        on refs.scorecard_year = printed.scorecard_year
        and refs.printed_ref = printed.printed_ref
    where coalesce(refs.combine, '') <> 'superseded'

),

combined as (

    select
        la_code,
        measure_ref,
        {{ financial_year('min(column_period_start)') }} as financial_year,
        value_kind,
        case when count(value) = count(*) then sum(value) end as value,
        string_agg(value_text, ' + ' order by row_number) as value_text,
        case when count(value) = count(*) then 'reported'
            else min(value_status) filter (where value is null) end as value_status

    from mapped
    group by la_code, measure_ref, scorecard_year, value_kind

)

select
    la_code,
    measure_ref,
    financial_year,
    max(value) filter (where value_kind = 'neighbour_average') as printed_neighbour_average,
    max(value_text) filter (where value_kind = 'neighbour_average') as printed_neighbour_average_text,
    max(value_status) filter (where value_kind = 'neighbour_average') as printed_neighbour_average_status,
    max(value) filter (where value_kind = 'england_value') as printed_england_value,
    max(value_text) filter (where value_kind = 'england_value') as printed_england_value_text,
    max(value_status) filter (where value_kind = 'england_value') as printed_england_value_status

from combined
group by 1, 2, 3
