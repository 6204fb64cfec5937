{{ config(**council_incremental_config(hash_joins=true)) }}
-- Who makes up the cared-for children measures of each period, one row per council, measure, period, child and role
-- (contribution 1: these measures count children). Looked after at a period end means a period of care open at the
-- end of that day; the placement is that of the episode open then. See _social_care__measures.md.
--   CSC008 children looked after at the period end (PI2.2 is its rate per 10,000)
--   PI2.3  looked after at 31 March with 3 or more placements in the financial year / looked after at 31 March
--   PI2.4  under 16 at 31 March, looked after for 2.5 years or more, in the same placement for 2 years or more (or
--          placed for adoption with the placement before it and the adoptive one together lasting 2 years) /
--          under 16 at 31 March and looked after for 2.5 years or more
--   CSC009 children with a review due in the quarter whose due reviews were all held in timescale / children with a
--          review due in the quarter
--   CSC010 in foster care with the council's own carers, friends and family included (U1-U6, PR1) / looked after
--   CSC011 in foster care with another council's or an agency's carers (U1-U6, PR2, PR4, PR5) / looked after
--   CSC012 in children's homes, secure units, residential care or residential schools (K1, K2, R1, S1) / looked after
--   CSC013 placed more than 20 miles from home / looked after, not unaccompanied asylum-seeking children
--   PI2.9  looked-after children with 5 or more missing spells (M) starting in the quarter while looked after
with

periods as (

    select * from {{ ref('int_social_care__reporting_periods') }}
    where {{ councils_to_rebuild() }}

),

care_periods as (

    select * from {{ ref('int_social_care__care_periods') }}
    where {{ councils_to_rebuild() }}

),

-- materialized: read once. Inlined, the planner (which expects one care period) looked the council's episodes up
-- again for every care period in a nested loop (with uasc below: 0.12 s -> 0.025 s for one council at 8 councils)
episodes as materialized (

    select * from {{ ref('int_social_care__care_episodes') }}
    where {{ councils_to_rebuild() }}

),

placements as (

    select * from {{ ref('int_social_care__placements') }}
    where {{ councils_to_rebuild() }}

),

reviews_due as (

    select * from {{ ref('int_social_care__care_reviews_due') }}
    where {{ councils_to_rebuild() }}

),

children as (

    select * from {{ ref('stg_ssda903__children') }}
    where {{ councils_to_rebuild() }}

),

-- materialized: read once, not scanned across every council's batches again for each child looked after
uasc as materialized (

    select * from {{ ref('stg_ssda903__uasc') }}
    where {{ councils_to_rebuild() }}

),

-- materialized: read once, not scanned across every council's batches again for each child looked after
-- (0.5 s -> 0.04 s with missing below, for one council at 20 councils)
distances as materialized (

    select * from {{ ref('stg_social_care_local__placement_distances') }}
    where {{ councils_to_rebuild() }}

),

-- materialized: read once, not scanned across every council's batches again for each care period
missing as materialized (

    select * from {{ ref('stg_ssda903__missing') }}
    where {{ councils_to_rebuild() }}

),

-- children looked after at the end of each snapshot and financial-year period, with the episode open then
looked_after as (

    select
        periods.la_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        care_periods.child_key,
        care_periods.period_number,
        care_periods.period_start_date,
        episodes.episode_start_date,
        episodes.placement_number,
        episodes.placement_type,
        episodes.placement_provider

    from periods
    inner join care_periods
        on care_periods.la_code = periods.la_code
        and care_periods.period_start_date <= periods.period_end
        and (care_periods.period_end_date is null or care_periods.period_end_date > periods.period_end)
    inner join episodes
        on episodes.la_code = care_periods.la_code
        and episodes.child_key = care_periods.child_key
        and episodes.period_number = care_periods.period_number
        and episodes.episode_start_date <= periods.period_end
        and (episodes.episode_end_date is null or episodes.episode_end_date > periods.period_end)
    where periods.period_type in ('snapshot', 'financial_year')

),

snapshot_flags as (

    select
        looked_after.*,
        looked_after.placement_type in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')
            and looked_after.placement_provider = 'PR1' as is_internal_foster_care,
        looked_after.placement_type in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')
            and looked_after.placement_provider in ('PR2', 'PR4', 'PR5') as is_external_foster_care,
        looked_after.placement_type in ('K1', 'K2', 'R1', 'S1') as is_residential,
        uasc.child_key is not null as is_uasc,
        distances.distance_miles > 20 as is_over_20_miles

    from looked_after
    left join uasc
        on uasc.la_code = looked_after.la_code
        and uasc.child_key = looked_after.child_key
        and (uasc.uasc_ceased_date is null or uasc.uasc_ceased_date > looked_after.period_end)
    left join distances
        on distances.la_code = looked_after.la_code
        and distances.child_key = looked_after.child_key
        and distances.episode_start_date = looked_after.episode_start_date
    where looked_after.period_type = 'snapshot'

),

snapshot_members as (

    select la_code, child_key, period_type, period_start, period_end, 'CSC008' as measure_ref, 'numerator' as role
    from snapshot_flags
    union all
    select la_code, child_key, period_type, period_start, period_end, 'PI2.2', 'numerator' from snapshot_flags
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC010', 'numerator' from snapshot_flags
    where is_internal_foster_care
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC010', 'denominator' from snapshot_flags
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC011', 'numerator' from snapshot_flags
    where is_external_foster_care
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC011', 'denominator' from snapshot_flags
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC012', 'numerator' from snapshot_flags
    where is_residential
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC012', 'denominator' from snapshot_flags
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC013', 'numerator' from snapshot_flags
    where not is_uasc and is_over_20_miles
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC013', 'denominator' from snapshot_flags
    where not is_uasc

),

-- the financial year: placements in the year of children looked after at 31 March
year_end as (

    select
        looked_after.*,
        children.birth_date

    from looked_after
    left join children
        on children.la_code = looked_after.la_code
        and children.child_key = looked_after.child_key
    where looked_after.period_type = 'financial_year'

),

placements_in_year as (

    select
        year_end.la_code,
        year_end.child_key,
        year_end.period_start,
        year_end.period_end,
        count(*) as placement_count

    from year_end
    inner join placements
        on placements.la_code = year_end.la_code
        and placements.child_key = year_end.child_key
        and placements.placement_start_date <= year_end.period_end
        and (placements.placement_end_date is null or placements.placement_end_date > year_end.period_start)
    group by 1, 2, 3, 4

),

long_term as (

    select
        year_end.la_code,
        year_end.child_key,
        year_end.period_type,
        year_end.period_start,
        year_end.period_end,
        current_placement.placement_start_date <= (year_end.period_end - interval '2 years')::date
            or (current_placement.adoptive_start_date is not null
                and previous_placement.placement_end_date = current_placement.placement_start_date
                and previous_placement.placement_start_date <= (year_end.period_end - interval '2 years')::date)
            as is_stable

    from year_end
    inner join placements as current_placement
        on current_placement.la_code = year_end.la_code
        and current_placement.child_key = year_end.child_key
        and current_placement.placement_number = year_end.placement_number
    left join placements as previous_placement
        on previous_placement.la_code = year_end.la_code
        and previous_placement.child_key = year_end.child_key
        and previous_placement.period_number = year_end.period_number
        and previous_placement.placement_number = year_end.placement_number - 1
    where year_end.period_end < (year_end.birth_date + interval '16 years')::date
        and year_end.period_start_date <= (year_end.period_end - interval '30 months')::date

),

year_members as (

    select year_end.la_code, year_end.child_key, year_end.period_type, year_end.period_start, year_end.period_end,
        'PI2.3' as measure_ref, 'denominator' as role
    from year_end
    union all
    select year_end.la_code, year_end.child_key, year_end.period_type, year_end.period_start, year_end.period_end,
        'PI2.3', 'numerator'
    from year_end
    inner join placements_in_year
        on placements_in_year.la_code = year_end.la_code
        and placements_in_year.child_key = year_end.child_key
        and placements_in_year.period_end = year_end.period_end
    where placements_in_year.placement_count >= 3
    union all
    select la_code, child_key, period_type, period_start, period_end, 'PI2.4', 'denominator' from long_term
    union all
    select la_code, child_key, period_type, period_start, period_end, 'PI2.4', 'numerator' from long_term
    where is_stable

),

review_children as (

    select
        periods.la_code,
        reviews_due.child_key,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        bool_and(reviews_due.is_in_timescale) as all_in_timescale

    from reviews_due
    inner join periods
        on periods.la_code = reviews_due.la_code
        and periods.period_type = 'quarter'
        and reviews_due.due_date between periods.period_start and periods.period_end
    group by 1, 2, 3, 4, 5

),

review_members as (

    select la_code, child_key, period_type, period_start, period_end, 'CSC009' as measure_ref, 'denominator' as role
    from review_children
    union all
    select la_code, child_key, period_type, period_start, period_end, 'CSC009', 'numerator' from review_children
    where all_in_timescale

),

missing_while_looked_after as (

    select distinct
        missing.la_code,
        missing.child_key,
        missing.missing_start_date

    from missing
    inner join care_periods
        on care_periods.la_code = missing.la_code
        and care_periods.child_key = missing.child_key
        and care_periods.period_start_date <= missing.missing_start_date
        and (care_periods.period_end_date is null or care_periods.period_end_date >= missing.missing_start_date)
    where missing.missing_type = 'M'

),

missing_members as (

    select
        periods.la_code,
        missing_while_looked_after.child_key,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        'PI2.9' as measure_ref,
        'numerator' as role

    from missing_while_looked_after
    inner join periods
        on periods.la_code = missing_while_looked_after.la_code
        and periods.period_type = 'quarter'
        and missing_while_looked_after.missing_start_date between periods.period_start and periods.period_end
    group by 1, 2, 3, 4, 5
    having count(*) >= 5

),

members as (

    select * from snapshot_members
    union all
    select * from year_members
    union all
    select * from review_members
    union all
    select * from missing_members

)

select
    la_code,
    measure_ref,
    period_type,
    period_start,
    period_end,
    child_key,
    role,
    1::numeric as contribution,
    {{ council_inputs_watermark() }} as _inputs_watermark

from members
