-- Statistical neighbours long: one row per council, set and neighbour rank (1 = closest), with the dates the set
-- was in force (to the day before the next set for the same council took effect; open-ended for the latest).
with

sn_groups as (

    select * from {{ ref('stg_benchmarks__sn_groups') }}

),

sets as (

    select
        *,
        lead(effective_from) over (partition by council_code order by effective_from) as next_effective_from

    from sn_groups

),

unpivoted as (

    select
        sets.council_code,
        sets.council_name,
        sets.region_name,
        sets.effective_from,
        (sets.next_effective_from - 1) as effective_to,
        neighbour.neighbour_rank,
        trim(neighbour.neighbour_code) as neighbour_code,
        lower(trim(neighbour.closeness_text)) as closeness

    from sets
    cross join lateral (
        values
        {% for n in range(1, 11) -%}
            ({{ n }}, sets.neighbour_{{ n }}_code, sets.neighbour_{{ n }}_closeness){{ "," if not loop.last }}
        {% endfor %}
    ) as neighbour (neighbour_rank, neighbour_code, closeness_text)

)

select
    council_code,
    council_name,
    region_name,
    effective_from,
    effective_to,
    neighbour_rank,
    neighbour_code,
    -- The source sheet mixes "Very close" and "Very Close": one spelling here.
    upper(left(closeness, 1)) || substr(closeness, 2) as closeness

from unpivoted
where neighbour_code is not null and neighbour_code <> ''
