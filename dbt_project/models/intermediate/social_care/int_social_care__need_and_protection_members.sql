{{ config(**council_incremental_config()) }}
-- Who makes up the children in need and child protection measures of each period, one row per council, measure,
-- period, child and role; contribution is how many of the child's records count (plans for CSC004 and PI1.14, one
-- per child otherwise). See _social_care__measures.md for each measure's definition.
--   CSC004 plans starting in the rolling 12 months for a child with a previous plan / plans starting in them
--   CSC005 children with an open episode of need at the period end, not closed with no further action (Annex A)
--   PI1.9  children on a child in need or child protection plan at the period end (local definition; the rate's
--          denominator, the 0-17 population, is added in int_measures_social_care)
--   CSC006 children on a child protection plan at the period end (PI1.12 is its rate per 10,000)
--   PI1.14 plans ending in the quarter that had lasted 2 years or more / plans ending in the quarter
--   CSC007 children with a review conference due in the year to date whose due reviews were all held in
--          timescale / children with a review due in the year to date
with

periods as (

    select * from {{ ref('int_social_care__reporting_periods') }}
    where {{ councils_to_rebuild() }}

),

referrals as (

    select * from {{ ref('stg_cin__referrals') }}
    where {{ councils_to_rebuild() }}

),

cin_plans as (

    select * from {{ ref('stg_cin__cin_plans') }}
    where {{ councils_to_rebuild() }}

),

protection_plans as (

    select * from {{ ref('stg_cin__protection_plans') }}
    where {{ councils_to_rebuild() }}

),

spells as (

    select * from {{ ref('int_social_care__protection_plan_spells') }}
    where {{ councils_to_rebuild() }}

),

reviews_due as (

    select * from {{ ref('int_social_care__protection_plan_reviews_due') }}
    where {{ councils_to_rebuild() }}

),

-- a record that counts in the period its date falls in (quarter or rolling 12 months)
dated_records as (

    select la_code, 'CSC004' as measure_ref, 'rolling_12_months' as period_type, 'numerator' as role, child_key,
        plan_start_date as record_date
    from protection_plans
    where previous_plan_count > 0
    union all
    select la_code, 'CSC004', 'rolling_12_months', 'denominator', child_key, plan_start_date from protection_plans
    union all
    select la_code, 'PI1.14', 'quarter', 'numerator', child_key, plan_end_date from protection_plans
    where plan_end_date >= (plan_start_date + interval '2 years')::date
    union all
    select la_code, 'PI1.14', 'quarter', 'denominator', child_key, plan_end_date from protection_plans
    where plan_end_date is not null

),

dated as (

    select
        periods.la_code,
        dated_records.measure_ref,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        dated_records.child_key,
        dated_records.role,
        count(*)::numeric as contribution

    from dated_records
    inner join periods
        on periods.la_code = dated_records.la_code
        and periods.period_type = dated_records.period_type
        and dated_records.record_date between periods.period_start and periods.period_end
    group by 1, 2, 3, 4, 5, 6, 7

),

-- a state a child is in from its start date until its end date (open at the end of the period's last day)
states as (

    select la_code, 'CSC005' as measure_ref, child_key, referral_date as start_date, closure_date as end_date
    from referrals
    where not coalesce(is_nfa, false)
    union all
    select la_code, 'PI1.9', child_key, plan_start_date, plan_end_date from cin_plans
    union all
    select la_code, 'PI1.9', child_key, plan_start_date, plan_end_date from protection_plans
    union all
    select la_code, 'CSC006', child_key, spell_start_date, spell_end_date from spells
    union all
    select la_code, 'PI1.12', child_key, spell_start_date, spell_end_date from spells

),

snapshots as (

    select distinct
        periods.la_code,
        states.measure_ref,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        states.child_key,
        'numerator' as role,
        1::numeric as contribution

    from states
    inner join periods
        on periods.la_code = states.la_code
        and periods.period_type = 'snapshot'
        and states.start_date <= periods.period_end
        and (states.end_date is null or states.end_date > periods.period_end)

),

review_children as (

    select
        periods.la_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        reviews_due.child_key,
        bool_and(reviews_due.is_in_timescale) as all_in_timescale

    from reviews_due
    inner join periods
        on periods.la_code = reviews_due.la_code
        and periods.period_type = 'year_to_date'
        and reviews_due.due_date between periods.period_start and periods.period_end
    group by 1, 2, 3, 4, 5

),

reviews as (

    select la_code, 'CSC007' as measure_ref, period_type, period_start, period_end, child_key, 'denominator' as role,
        1::numeric as contribution
    from review_children
    union all
    select la_code, 'CSC007', period_type, period_start, period_end, child_key, 'numerator', 1::numeric
    from review_children
    where all_in_timescale

),

members as (

    select * from dated
    union all
    select * from snapshots
    union all
    select * from reviews

)

select
    *,
    {{ council_inputs_watermark() }} as _inputs_watermark

from members
