-- What each scorecard figure is rated against, and the quantity compared. Per council, measure, period and source:
--   * the benchmarks: statistical-neighbour average, England value, national rank and quartile band from the
--     LAIT-style file (the year of the period, else the latest year before it), and the averages the return printed
--     (a return row shows what its committee saw: printed first; a record-level row the computed figures first);
--   * the target of the financial year (staging.measure_targets, parsed from the catalogue by `scorecard build`),
--     else, where the rag_fallbacks seed says so, the neighbour average or the England value;
--   * the quantity the target is about: the figure itself; the running total over the year for a cumulative target
--     (the target pro-rated to the months elapsed); the movement since the previous period for a per-period target
--     on a level (a stock), or the figure against the per-period target scaled to the period's length.
with

figures as (

    select * from {{ ref('int_scorecard_values') }}

),

direction as (

    select la_code, measure_ref, period_type, period_start, period_end, source, previous_value
    from {{ ref('int_scorecard_direction') }}

),

targets as (

    select
        *,
        lower(substring(target_text from '(?i) per (qtr|quarter|month|mth|year|yr|term)')) as per_text

    from {{ source('config', 'measure_targets') }}

),

fallbacks as (

    select * from {{ ref('rag_fallbacks') }}

),

printed_benchmarks as (

    select * from {{ ref('int_return_benchmarks') }}

),

with_running_totals as (

    select
        figures.*,
        -- months of the financial year up to the period's end (April = 1, March = 12)
        (extract(month from figures.period_end)::int + 8) % 12 + 1 as months_elapsed,
        sum(figures.value) over year_so_far as year_running_total,
        count(figures.value) over year_so_far as periods_in_running_total

    from figures
    window year_so_far as (
        partition by figures.la_code, figures.measure_ref, figures.period_type, figures.source, figures.financial_year
        order by figures.period_end
        rows between unbounded preceding and current row
    )

),

with_benchmarks as (

    select
        with_running_totals.*,
        direction.previous_value,
        lait.benchmark_year,
        lait.years_text as benchmark_year_text,
        lait.neighbour_average as lait_neighbour_average,
        lait.neighbours_with_value,
        lait.england_value as lait_england_value,
        lait.national_rank,
        lait.councils_with_value as councils_ranked,
        lait.quartile_band,
        printed_benchmarks.printed_neighbour_average,
        printed_benchmarks.printed_neighbour_average_text,
        printed_benchmarks.printed_england_value,
        printed_benchmarks.printed_england_value_text

    from with_running_totals
    left join direction
        on direction.la_code = with_running_totals.la_code
        and direction.measure_ref = with_running_totals.measure_ref
        and direction.period_type = with_running_totals.period_type
        and direction.period_start = with_running_totals.period_start
        and direction.period_end = with_running_totals.period_end
        and direction.source = with_running_totals.source
    left join lateral (
        select *
        from {{ ref('int_benchmarks__measure_years') }} as years
        where years.la_code = with_running_totals.la_code
            and years.measure_ref = with_running_totals.measure_ref
            and years.benchmark_year <= with_running_totals.financial_year
            and (years.council_value is not null or years.neighbour_average is not null
                 or years.england_value is not null)
        order by years.benchmark_year desc
        limit 1
    ) as lait on true
    left join printed_benchmarks
        on printed_benchmarks.la_code = with_running_totals.la_code
        and printed_benchmarks.measure_ref = with_running_totals.measure_ref
        and printed_benchmarks.financial_year = with_running_totals.financial_year

),

with_targets as (

    select
        with_benchmarks.*,
        case when with_benchmarks.source = 'return'
            then coalesce(printed_neighbour_average, lait_neighbour_average)
            else coalesce(lait_neighbour_average, printed_neighbour_average)
        end as neighbour_average,
        case when with_benchmarks.source = 'return'
            then coalesce(printed_england_value, lait_england_value)
            else coalesce(lait_england_value, printed_england_value)
        end as england_value,
        targets.target_text,
        targets.comparator as target_comparator,
        targets.target_value,
        targets.lower_bound as target_lower,
        targets.upper_bound as target_upper,
        targets.unit as target_unit,
        targets.basis as target_basis,
        case targets.per_text
            when 'qtr' then 'quarter' when 'mth' then 'month' when 'yr' then 'year' else targets.per_text
        end as target_per,
        targets.due_date as target_due_date,
        fallbacks.compare_with as fallback_compare_with

    from with_benchmarks
    left join targets
        on targets.measure_ref = with_benchmarks.measure_ref
        and targets.financial_year = with_benchmarks.financial_year
    left join fallbacks
        on fallbacks.measure_ref = with_benchmarks.measure_ref

),

with_basis as (

    select
        with_targets.*,
        case
            when target_comparator is not null then 'target'
            when fallback_compare_with = 'neighbour_average' and neighbour_average is not null then 'neighbour_average'
            when fallback_compare_with = 'england_value' and england_value is not null then 'england_value'
        end as rating_basis,
        -- a target on a year-to-date count is for the whole year: it is read as cumulative (pro-rated)
        case
            when target_basis = 'period' and period_type = 'year_to_date' and unit = 'count' then 'cumulative'
            else target_basis
        end as applied_target_basis,
        -- a per-period target on a level (a stock, e.g. outstanding reviews) is about its movement
        target_basis = 'per_period' and period_type = 'snapshot' as per_period_movement,
        case period_type
            when 'quarter' then 3 when 'month' then 1 when 'financial_year' then 12 when 'snapshot' then 3
            when 'rolling_12_months' then 12
        end as months_in_period,
        case target_per when 'quarter' then 3 when 'month' then 1 when 'year' then 12 end as months_per_target

    from with_targets

),

compared as (

    select
        with_basis.*,
        case
            when rating_basis is distinct from 'target' or applied_target_basis = 'period' then 1
            when applied_target_basis = 'cumulative' then
                case
                    when period_type = 'financial_year' then 1
                    when period_type in ('quarter', 'month', 'year_to_date') then trim_scale(months_elapsed / 12.0)
                end
            when applied_target_basis = 'per_period' and period_type = 'year_to_date' then
                trim_scale(months_elapsed::numeric / months_per_target)
            when applied_target_basis = 'per_period' then trim_scale(months_in_period::numeric / months_per_target)
        end as target_factor,
        case
            when rating_basis is distinct from 'target' then value
            when applied_target_basis = 'cumulative' and period_type in ('quarter', 'month') then
                -- the running total counts only when every period of the year so far has a figure
                case when periods_in_running_total
                    = case period_type when 'quarter' then (months_elapsed + 2) / 3 else months_elapsed end
                    then year_running_total end
            when applied_target_basis = 'cumulative'
                and period_type not in ('financial_year', 'year_to_date') then null
            when per_period_movement then
                (value - previous_value) * case when polarity = 'low' then -1 else 1 end
            when applied_target_basis = 'per_period' and (months_per_target is null
                or (months_in_period is null and period_type <> 'year_to_date')) then null
            else value
        end as compare_value

    from with_basis

)

select
    compared.*,
    case
        when rating_basis is distinct from 'target' or compare_value is not null or value is null then null
        when applied_target_basis = 'cumulative' and period_type in ('quarter', 'month') then
            'the year-to-date total needs a figure for every period of the year so far'
        when applied_target_basis = 'cumulative' then
            'a cumulative target cannot be pro-rated to a ' || replace(period_type, '_', ' ')
        when per_period_movement then 'a target per period on a level needs the previous period''s figure'
        when applied_target_basis = 'per_period' then
            'a target per ' || coalesce(target_per, 'period') || ' cannot be scaled to a '
            || replace(period_type, '_', ' ')
    end as compare_obstacle,
    case rating_basis
        when 'target' then target_comparator
        when 'neighbour_average' then 'point'
        when 'england_value' then 'point'
    end as compare_comparator,
    case rating_basis
        when 'target' then trim_scale(target_lower * target_factor)
        when 'neighbour_average' then neighbour_average
        when 'england_value' then england_value
    end as compare_lower,
    case rating_basis
        when 'target' then trim_scale(target_upper * target_factor)
        when 'neighbour_average' then neighbour_average
        when 'england_value' then england_value
    end as compare_upper,
    -- a movement target wants the movement in the good direction to be at least the target
    case when rating_basis = 'target' and per_period_movement then 'high' else polarity end as effective_polarity

from compared
