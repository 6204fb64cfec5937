-- The scorecard as it may be published outside the service (committee papers, the council's website): values
-- only, no numerators or denominators, with small numbers suppressed the council's way. A count from
-- var('suppress_min') to var('suppress_max') (1 to 4 by default) is suppressed, and so is any figure built on one
-- (a percentage or rate whose numerator is that small). Secondary suppression: a measure linked to a suppressed one
-- (seed suppression_links: a count and the percentage or rate made from it) is suppressed in the same period too,
-- so that one cannot be worked out from the other.
with

scorecard as (

    select * from {{ ref('fct_scorecard') }}

),

links as (

    select measure_ref, linked_measure_ref from {{ ref('suppression_links') }}
    union
    select linked_measure_ref, measure_ref from {{ ref('suppression_links') }}

),

primary_suppression as (

    select
        *,
        coalesce(
            (unit = 'count' and value between {{ var('suppress_min') }} and {{ var('suppress_max') }})
            or (numerator between {{ var('suppress_min') }} and {{ var('suppress_max') }}),
            false
        ) or coalesce(value_status = 'suppressed', false) as is_primary

    from scorecard

),

secondary_suppression as (

    select distinct
        links.linked_measure_ref as measure_ref,
        suppressed.la_code,
        suppressed.period_type,
        suppressed.period_start,
        suppressed.period_end,
        suppressed.source

    from primary_suppression as suppressed
    inner join links
        on links.measure_ref = suppressed.measure_ref
    where suppressed.is_primary

),

flagged as (

    select
        primary_suppression.*,
        secondary_suppression.measure_ref is not null and not primary_suppression.is_primary as is_secondary

    from primary_suppression
    left join secondary_suppression
        on secondary_suppression.measure_ref = primary_suppression.measure_ref
        and secondary_suppression.la_code = primary_suppression.la_code
        and secondary_suppression.period_type = primary_suppression.period_type
        and secondary_suppression.period_start = primary_suppression.period_start
        and secondary_suppression.period_end = primary_suppression.period_end
        and secondary_suppression.source = primary_suppression.source

)

select
    la_code::text as la_code,
    measure_ref::text as measure_ref,
    measure_name::text as measure_name,
    section::text as section,
    unit::text as unit,
    polarity::text as polarity,
    period_type::text as period_type,
    period_start::date as period_start,
    period_end::date as period_end,
    period_label::text as period_label,
    source::text as source,
    case when is_primary or is_secondary then null else value end::numeric as value,
    case
        when is_primary then 'suppressed'
        when is_secondary then 'suppressed (secondary)'
        else value_status
    end::text as value_status,
    target_text::text as target_text,
    case when is_primary or is_secondary then null else rag end::text as rag,
    case when is_primary or is_secondary then null else direction_of_travel end::text as direction_of_travel,
    neighbour_average::numeric as neighbour_average,
    england_value::numeric as england_value

from flagged
