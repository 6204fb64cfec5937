-- Per council, catalogue measure and benchmark year: the council's published figure, its statistical-neighbour
-- average (the mean of the neighbours that have a figure, from the set in force at the end of the year), the
-- England value, and its national rank and quartile band by polarity (LAIT's rules: rank 1 is best, ties share the
-- better rank; quartiles are closed on the right, A is the best quarter: for low-is-good [min, Q1] is A, for
-- high-is-good (Q3, max] is A). Polarity comes from the measure catalogue.
{{ config(
    materialized='table',
    post_hook="create index on {{ this }} (la_code, measure_ref, benchmark_year)"
) }}  -- computed once per build; the scorecard looks a council's years up by this key
with

lait as (

    select * from {{ ref('int_benchmarks__lait_values') }}
    where measure_ref is not null

),

neighbours as (

    select * from {{ ref('int_benchmarks__neighbours') }}

),

measures as (

    select measure_ref, polarity from {{ ref('measures') }}

),

councils as (

    select
        lait.*,
        case year_type
            when 'academic' then make_date(benchmark_year + 1, 8, 31)
            when 'calendar' then make_date(benchmark_year, 12, 31)
            else make_date(benchmark_year + 1, 3, 31)
        end as year_end

    from lait
    where area_type = 'council'

),

england as (

    select measure_ref, benchmark_year, value as england_value, value_status as england_status
    from lait
    where area_type = 'england'

),

neighbour_figures as (

    -- each council's neighbours' figures, from the set in force at the end of the benchmark year
    select
        figures.measure_ref,
        figures.benchmark_year,
        neighbours.council_code,
        neighbours.effective_from as neighbour_set_from,
        neighbours.neighbour_rank,
        figures.value,
        figures.value_status

    from neighbours
    inner join councils as figures
        on figures.area_code = neighbours.neighbour_code
    where neighbours.effective_from <= figures.year_end
        and (neighbours.effective_to is null or neighbours.effective_to >= figures.year_end)

),

neighbour_averages as (

    select
        measure_ref,
        benchmark_year,
        council_code,
        min(neighbour_set_from) as neighbour_set_from,
        trim_scale(avg(value)) as neighbour_average,
        count(value) as neighbours_with_value,
        count(*) as neighbours_listed,
        count(*) filter (where value_status = 'suppressed') as neighbours_suppressed

    from neighbour_figures
    group by 1, 2, 3

),

ranked as (

    select
        councils.measure_ref,
        councils.benchmark_year,
        councils.area_code,
        case measures.polarity
            when 'high' then rank() over (
                partition by councils.measure_ref, councils.benchmark_year order by councils.value desc)
            when 'low' then rank() over (
                partition by councils.measure_ref, councils.benchmark_year order by councils.value asc)
        end as national_rank,
        count(*) over (partition by councils.measure_ref, councils.benchmark_year) as councils_with_value

    from councils
    inner join measures
        on measures.measure_ref = councils.measure_ref
    where councils.value is not null

),

quartiles as (

    select
        measure_ref,
        benchmark_year,
        percentile_cont(0.25) within group (order by value) as quartile_1,
        percentile_cont(0.50) within group (order by value) as quartile_2,
        percentile_cont(0.75) within group (order by value) as quartile_3

    from councils
    where value is not null
    group by 1, 2

)

select
    councils.area_code as la_code,
    councils.area_name as la_name,
    councils.measure_ref,
    councils.lait_measure,
    councils.benchmark_year,
    councils.years_text,
    councils.year_type,
    measures.polarity,
    councils.value as council_value,
    councils.value_text as council_value_text,
    councils.value_status as council_value_status,
    neighbour_averages.neighbour_average,
    coalesce(neighbour_averages.neighbours_with_value, 0) as neighbours_with_value,
    coalesce(neighbour_averages.neighbours_listed, 0) as neighbours_listed,
    coalesce(neighbour_averages.neighbours_suppressed, 0) as neighbours_suppressed,
    neighbour_averages.neighbour_set_from,
    england.england_value,
    england.england_status,
    ranked.national_rank,
    ranked.councils_with_value,
    quartiles.quartile_1,
    quartiles.quartile_2,
    quartiles.quartile_3,
    case
        when councils.value is null or measures.polarity not in ('high', 'low') then null
        when measures.polarity = 'low' then
            case
                when councils.value <= quartiles.quartile_1 then 'A'
                when councils.value <= quartiles.quartile_2 then 'B'
                when councils.value <= quartiles.quartile_3 then 'C'
                else 'D'
            end
        else
            case
                when councils.value <= quartiles.quartile_1 then 'D'
                when councils.value <= quartiles.quartile_2 then 'C'
                when councils.value <= quartiles.quartile_3 then 'B'
                else 'A'
            end
    end as quartile_band

from councils
left join measures
    on measures.measure_ref = councils.measure_ref
left join neighbour_averages
    on neighbour_averages.measure_ref = councils.measure_ref
    and neighbour_averages.benchmark_year = councils.benchmark_year
    and neighbour_averages.council_code = councils.area_code
left join england
    on england.measure_ref = councils.measure_ref
    and england.benchmark_year = councils.benchmark_year
left join ranked
    on ranked.measure_ref = councils.measure_ref
    and ranked.benchmark_year = councils.benchmark_year
    and ranked.area_code = councils.area_code
left join quartiles
    on quartiles.measure_ref = councils.measure_ref
    and quartiles.benchmark_year = councils.benchmark_year
