{{ config(**council_incremental_config()) }}
-- Every school open at the end of each financial quarter, with the Ofsted overall effectiveness judgement in force
-- on that day: the latest graded inspection of its URN published on or before it, else (an academy not yet
-- inspected as an academy) the latest one of its predecessor's URN published on or before it. A school is open on a
-- day between OpenDate and CloseDate, both inclusive (an academy conversion closes the old URN the day before).
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'education'
        and {{ councils_to_rebuild() }}

),

schools as (

    select * from {{ ref('stg_education__schools') }}
    where {{ councils_to_rebuild() }}

),

inspections as (

    select * from {{ ref('stg_education__ofsted_inspections') }}
    where {{ councils_to_rebuild() }}

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

),

-- each URN whose judgement a school open at a quarter's end may take: its own, and its predecessor's
urns_in_force as (

    select la_code, period_end, urn from open_schools
    union
    select la_code, period_end, predecessor_urn from open_schools
    where predecessor_urn is not null

),

-- The judgement in force: the latest inspection of a URN published on or before the quarter's end. A join over each
-- school's few inspections, not a lookup per school and quarter (which scanned every inspection each time).
judgements_in_force as (

    select
        open_schools.la_code,
        open_schools.period_end,
        inspections.urn,
        inspections.overall_effectiveness,
        row_number() over (
            partition by open_schools.la_code, open_schools.period_end, inspections.urn
            order by inspections.publication_date desc, inspections.inspection_date desc
        ) as recency

    from urns_in_force as open_schools
    inner join inspections
        on inspections.la_code = open_schools.la_code
        and inspections.urn = open_schools.urn
        and inspections.publication_date <= open_schools.period_end

),

latest as (

    select * from judgements_in_force
    where recency = 1

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
    end as judgement_of,
    {{ council_inputs_watermark('open_schools.la_code') }} as _inputs_watermark

from open_schools
left join latest as own
    on own.la_code = open_schools.la_code
    and own.period_end = open_schools.period_end
    and own.urn = open_schools.urn
left join latest as predecessor
    on predecessor.la_code = open_schools.la_code
    and predecessor.period_end = open_schools.period_end
    and predecessor.urn = open_schools.predecessor_urn
