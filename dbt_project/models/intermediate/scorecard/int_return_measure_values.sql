-- The hand-typed returns as measure values: each printed value under its catalogue measure (the measure_refs seed)
-- and the measure's own period rule. Printed rows that add up to one measure (6.7 + 6.8 -> Ed&S007) are summed when
-- every part has a figure; a row superseded by another definition (10.5 beside 10.6) is left out of the scorecard
-- (it stays in staging.return_values).
with

printed as (

    select * from {{ ref('stg_returns__values') }}
    where value_kind = 'value'

),

refs as (

    select * from {{ ref('measure_refs') }}

),

measures as (

    select measure_ref, period_type from {{ ref('measures') }}

),

mapped as (

    select
        printed.*,
        coalesce(refs.measure_ref, printed.loaded_measure_ref) as measure_ref,
        coalesce(refs.definition_changed, false) as definition_changed

    from printed
    left join refs
        on refs.scorecard_year = printed.scorecard_year
        and refs.printed_ref = printed.printed_ref
    where coalesce(refs.combine, '') <> 'superseded'

),

combined as (

    select
        la_code,
        scorecard_year,
        measure_ref,
        column_name,
        min(column_period_type) as column_period_type,
        min(column_period_start) as column_period_start,
        max(column_period_end) as column_period_end,
        string_agg(printed_ref, ' + ' order by row_number) as printed_refs,
        case when count(*) = 1 then min(value_text)
            else string_agg(printed_ref || ': ' || value_text, '; ' order by row_number) end as value_text,
        case when count(value) = count(*) then sum(value) end as value,
        case
            when count(*) = 1 then min(value_status)
            when count(value) = count(*) then
                case
                    when bool_or(value_status = 'provisional') then 'provisional'
                    when bool_or(value_status = 'indicative') then 'indicative'
                    else 'reported'
                end
            else min(value_status) filter (where value is null)
        end as value_status,
        min(printed_unit) as printed_unit,
        case when count(*) = 1 then min(cumulative_value) end as printed_cumulative,
        case when count(*) = 1 then min(band_lower) end as band_lower,
        case when count(*) = 1 then min(band_upper) end as band_upper,
        bool_or(definition_changed) as definition_changed

    from mapped
    group by 1, 2, 3, 4

),

with_period_type as (

    select
        combined.*,
        case
            when combined.column_period_type = 'financial_year' then 'financial_year'
            when measures.period_type in ('snapshot', 'year_to_date', 'rolling_12_months', 'academic_year_to_date')
                then measures.period_type
            else 'quarter'
        end as period_type

    from combined
    left join measures
        on measures.measure_ref = combined.measure_ref

)

select
    la_code,
    measure_ref,
    period_type,
    case period_type
        when 'year_to_date' then make_date({{ financial_year('column_period_end') }}, 4, 1)
        when 'rolling_12_months' then ((column_period_end + 1) - interval '12 months')::date
        when 'academic_year_to_date' then make_date(
            case when extract(month from column_period_end) >= 9 then extract(year from column_period_end)::int
                else extract(year from column_period_end)::int - 1 end, 9, 1)
        else column_period_start
    end as period_start,
    column_period_end as period_end,
    scorecard_year,
    column_name,
    printed_refs,
    value_text,
    value,
    value_status,
    printed_unit,
    printed_cumulative,
    band_lower,
    band_upper,
    definition_changed

from with_period_type
