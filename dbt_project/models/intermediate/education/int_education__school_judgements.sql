{{ config(materialized='table') }}  -- a table: as a view inside int_measures_education's union it was planned badly
-- Every school open at the end of each financial quarter, with the Ofsted overall effectiveness judgement in force
-- on that day: the latest graded inspection of its URN published on or before it, else (an academy not yet
-- inspected as an academy) the latest one of its predecessor's URN published on or before it. A school is open on a
-- day between OpenDate and CloseDate, both inclusive (an academy conversion closes the old URN the day before).
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'education'

),

schools as (

    select * from {{ ref('stg_education__schools') }}

),

inspections as (

    select * from {{ ref('stg_education__ofsted_inspections') }}

),

open_schools as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        schools.urn,
        schools.predecessor_urn,
        schools.phase,
        schools.school_type

    from quarters
    inner join schools
        on schools.la_code = quarters.la_code
        and schools.open_date <= quarters.period_end
        and (schools.close_date is null or schools.close_date >= quarters.period_end)

)

select
    open_schools.la_code,
    open_schools.period_start,
    open_schools.period_end,
    open_schools.urn,
    open_schools.phase,
    open_schools.school_type,
    coalesce(own.overall_effectiveness, predecessor.overall_effectiveness) as overall_effectiveness,
    case
        when own.overall_effectiveness is not null then 'own'
        when predecessor.overall_effectiveness is not null then 'predecessor'
    end as judgement_of

from open_schools
left join lateral (
    select inspections.overall_effectiveness
    from inspections
    where inspections.la_code = open_schools.la_code
        and inspections.urn = open_schools.urn
        and inspections.publication_date <= open_schools.period_end
    order by inspections.publication_date desc, inspections.inspection_date desc
    limit 1
) as own on true
left join lateral (
    select inspections.overall_effectiveness
    from inspections
    where inspections.la_code = open_schools.la_code
        and inspections.urn = open_schools.predecessor_urn
        and inspections.publication_date <= open_schools.period_end
    order by inspections.publication_date desc, inspections.inspection_date desc
    limit 1
) as predecessor on true
