{{ config(**council_incremental_config()) }}
-- Social-care measures per council and period, in the shape every int_measures_<domain> model shares. Every
-- social-care measure of the catalogue (seed measures) with a record-level source is published for every period of
-- its catalogue period type inside the reporting window (int_social_care__reporting_periods). The numerator and
-- denominator are the sums of the contributions of the children who make them up (int_social_care__measure_members),
-- except that a rate's denominator is the 0-17 population (per 10,000) and the caseload (CSC018) divides open cases
-- by caseholding social workers at the last monthly snapshot of the quarter. A measure whose first source table
-- (measures.source) has no rows for the council is not published for it, so an undelivered source is never shown
-- as a zero. See _social_care__measures.md for each measure's numerator, denominator, period rule and source.
with

catalogue as (

    select
        measure_ref,
        unit,
        period_type,
        split_part(source, '; ', 1) as first_source

    from {{ ref('measures') }}
    where domain = 'social_care'
        and source <> 'return'

),

periods as (

    select * from {{ ref('int_social_care__reporting_periods') }}
    where {{ councils_to_rebuild() }}

),

members as (

    select * from {{ ref('int_social_care__measure_members') }}
    where {{ councils_to_rebuild() }}

),

-- materialized: counted once. Inlined, the planner (which expects one row of the grid) put this union of counts
-- per staging table on the inner side of a nested loop and counted every table again for each period and measure
-- (43 s for one council's 172 rows at 20 councils; 0.6 s materialized).
source_rows as materialized (

    select * from {{ ref('int_social_care__source_rows') }}
    where {{ councils_to_rebuild() }}

),

population as (

    select * from {{ ref('int_social_care__child_population') }}
    where {{ councils_to_rebuild() }}

),

caseloads as (

    select * from {{ ref('stg_social_care_local__caseloads') }}
    where {{ councils_to_rebuild() }}

),

grid as (

    select
        periods.la_code,
        catalogue.measure_ref,
        catalogue.unit,
        catalogue.first_source,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.financial_year

    from catalogue
    inner join periods
        on periods.period_type = catalogue.period_type

),

member_totals as (

    select
        la_code,
        measure_ref,
        period_type,
        period_start,
        period_end,
        sum(contribution) filter (where role = 'numerator') as numerator,
        sum(contribution) filter (where role = 'denominator') as denominator

    from members
    group by 1, 2, 3, 4, 5

),

caseload_snapshots as (

    select
        periods.la_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        max(caseloads.snapshot_date) as snapshot_date

    from periods
    inner join caseloads
        on caseloads.la_code = periods.la_code
        and caseloads.snapshot_date between periods.period_start and periods.period_end
    where periods.period_type = 'snapshot'
    group by 1, 2, 3, 4

),

caseload_totals as (

    select
        caseload_snapshots.la_code,
        'CSC018' as measure_ref,
        caseload_snapshots.period_type,
        caseload_snapshots.period_start,
        caseload_snapshots.period_end,
        sum(caseloads.case_count)::numeric as numerator,
        count(*)::numeric as denominator

    from caseload_snapshots
    inner join caseloads
        on caseloads.la_code = caseload_snapshots.la_code
        and caseloads.snapshot_date = caseload_snapshots.snapshot_date
    group by 1, 2, 3, 4, 5

),

totals as (

    select * from member_totals
    union all
    select * from caseload_totals

),

computed as (

    select
        grid.la_code,
        grid.measure_ref,
        grid.unit,
        grid.period_type,
        grid.period_start,
        grid.period_end,
        coalesce(source_rows.row_count, 0) > 0 as is_delivered,
        coalesce(totals.numerator, 0) as numerator,
        case
            when grid.unit = 'count' then null
            when grid.unit = 'rate_per_10000' then population.population
            else coalesce(totals.denominator, 0)
        end as denominator

    from grid
    left join totals
        on totals.la_code = grid.la_code
        and totals.measure_ref = grid.measure_ref
        and totals.period_type = grid.period_type
        and totals.period_start = grid.period_start
        and totals.period_end = grid.period_end
    left join source_rows
        on source_rows.la_code = grid.la_code
        and source_rows.source_table = grid.first_source
    left join population
        on population.la_code = grid.la_code
        and population.financial_year = grid.financial_year

)

select
    la_code::text as la_code,
    measure_ref::text as measure_ref,
    period_type::text as period_type,
    period_start::date as period_start,
    period_end::date as period_end,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    -- trailing zeros of the division trimmed (25, not 25.0000000000000000)
    trim_scale(case
        when unit = 'count' then numerator
        when unit = 'percent' then 100.0 * numerator / nullif(denominator, 0)
        when unit = 'rate_per_10000' then 10000.0 * numerator / nullif(denominator, 0)
        else numerator / nullif(denominator, 0)
    end)::numeric as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from computed
where is_delivered
