-- Direction of travel of each scorecard figure, against the previous period and the same period a year earlier:
-- the movement (up, down, or level when it moved less than the measure's stable threshold) and what it means by the
-- measure's polarity (improving, static, worsening; empty for measures with no polarity). A comparison is made only
-- within one series (council, measure, period type, source) and never across a change of definition, so a broken
-- trend line stays broken. Year-to-date figures compare only within their own year.
{{ config(materialized='table') }}  -- read several times per build: computed once
with

figures as (

    select
        la_code,
        measure_ref,
        period_type,
        period_start,
        period_end,
        source,
        value,
        definition_changed,
        polarity,
        stable_threshold,
        financial_year

    from {{ ref('int_scorecard_values') }}

),

sequenced as (

    select
        figures.*,
        lag(value) over series as lag_value,
        lag(period_start) over series as lag_period_start,
        lag(period_end) over series as lag_period_end,
        lag(definition_changed) over series as lag_definition_changed,
        lag(financial_year) over series as lag_financial_year

    from figures
    window series as (partition by la_code, measure_ref, period_type, source order by period_end, period_start)

),

with_previous as (

    select
        sequenced.*,
        case
            when lag_definition_changed is distinct from definition_changed then false
            when period_type in ('quarter', 'snapshot', 'rolling_12_months') then
                lag_period_end = ((period_end + 1) - interval '3 months')::date - 1
            when period_type = 'year_to_date' then
                lag_period_end = ((period_end + 1) - interval '3 months')::date - 1
                and lag_financial_year = financial_year
            when period_type = 'academic_year_to_date' then
                lag_period_end = ((period_end + 1) - interval '3 months')::date - 1
                and lag_period_start = period_start
            when period_type = 'month' then lag_period_end = ((period_end + 1) - interval '1 month')::date - 1
            when period_type = 'financial_year' then lag_period_end = ((period_end + 1) - interval '12 months')::date - 1
            -- terms and half terms are not evenly spaced: the one before, if it ended in the last eight months
            else lag_period_end > (period_end - interval '8 months')::date
        end as has_previous

    from sequenced

),

-- The figure of the same series and definition nearest to a year before each one (its period ending within three
-- weeks of the year-earlier date; the earlier one when two are as near). A join over the series, not a lookup per
-- figure: a lateral subquery would scan every figure once per figure.
year_ago_candidates as (

    select
        later.la_code,
        later.measure_ref,
        later.period_type,
        later.source,
        later.period_start,
        later.period_end,
        earlier.value,
        row_number() over (
            partition by later.la_code, later.measure_ref, later.period_type, later.source, later.period_start,
                later.period_end
            order by
                abs(earlier.period_end - (((later.period_end + 1) - interval '12 months')::date - 1)),
                earlier.period_end,
                earlier.period_start
        ) as nearness

    from figures as later
    inner join figures as earlier
        on earlier.la_code = later.la_code
        and earlier.measure_ref = later.measure_ref
        and earlier.period_type = later.period_type
        and earlier.source = later.source
        and earlier.definition_changed = later.definition_changed
        and earlier.period_end between ((later.period_end + 1) - interval '12 months')::date - 21
            and ((later.period_end + 1) - interval '12 months')::date + 20

),

year_ago as (

    select * from year_ago_candidates
    where nearness = 1

),

compared as (

    select
        with_previous.*,
        case when has_previous then lag_value end as previous_value,
        year_ago.value as year_ago_value

    from with_previous
    left join year_ago
        on year_ago.la_code = with_previous.la_code
        and year_ago.measure_ref = with_previous.measure_ref
        and year_ago.period_type = with_previous.period_type
        and year_ago.source = with_previous.source
        and year_ago.period_start = with_previous.period_start
        and year_ago.period_end = with_previous.period_end

),

movements as (

    select
        compared.*,
        case
            when value is null or previous_value is null then null
            when abs(value - previous_value) < stable_threshold then 'level'
            when value > previous_value then 'up'
            else 'down'
        end as direction_movement,
        case
            when value is null or year_ago_value is null then null
            when abs(value - year_ago_value) < stable_threshold then 'level'
            when value > year_ago_value then 'up'
            else 'down'
        end as year_on_year_movement

    from compared

)

select
    la_code,
    measure_ref,
    period_type,
    period_start,
    period_end,
    source,
    previous_value,
    direction_movement,
    case
        when direction_movement is null or polarity not in ('high', 'low') then null
        when direction_movement = 'level' then 'static'
        when (direction_movement = 'up') = (polarity = 'high') then 'improving'
        else 'worsening'
    end as direction_of_travel,
    year_ago_value,
    year_on_year_movement,
    case
        when year_on_year_movement is null or polarity not in ('high', 'low') then null
        when year_on_year_movement = 'level' then 'static'
        when (year_on_year_movement = 'up') = (polarity = 'high') then 'improving'
        else 'worsening'
    end as direction_year_on_year

from movements
