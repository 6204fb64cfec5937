-- Every LAIT cell read: the figure where one is published, otherwise what the publisher's marker means
-- (c or x suppressed, .. not yet released, - not applicable; the same reading as scorecard/parsing/values.py),
-- the area typed (council, region, England), the year numbered and the measure mapped to the catalogue.
with

lait as (

    select * from {{ ref('stg_benchmarks__lait_values') }}

),

benchmark_measures as (

    select * from {{ ref('benchmark_measures') }}

),

cleaned as (

    select
        lait.*,
        nullif(trim(lait.value_text), '') as trimmed_text,
        replace(trim(lait.value_text), ',', '') as number_text

    from lait

)

select
    benchmark_measures.measure_ref,
    cleaned.lait_measure,
    coalesce(benchmark_measures.year_type, 'financial') as year_type,
    cleaned.years_text,
    substring(cleaned.years_text from '^[0-9]{4}')::int as benchmark_year,
    cleaned.area_code,
    cleaned.area_name,
    case
        when cleaned.area_code ~ '^[0-9]{3}$' then 'council'
        when cleaned.area_code = 'E92000001' or lower(cleaned.area_name) = 'england' then 'england'
        else 'region'
    end as area_type,
    cleaned.value_text,
    case when cleaned.number_text ~ '^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$' then cleaned.number_text::numeric end as value,
    case
        when cleaned.trimmed_text is null then 'missing'
        when cleaned.number_text ~ '^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$' then 'reported'
        when lower(cleaned.trimmed_text) in ('c', 'x', 'supressed', 'suppressed') then 'suppressed'
        when lower(cleaned.trimmed_text) in ('..', 'data not yet released', 'not yet released') then 'not_released'
        when lower(cleaned.trimmed_text) in ('-', 'z', 'n/a') then 'not_applicable'
        else 'unreadable'
    end as value_status,
    cleaned.batch_id

from cleaned
left join benchmark_measures
    on benchmark_measures.lait_short_desc = cleaned.lait_measure
