{{ config(**council_incremental_config()) }}
-- Who makes up the front-door measures of each quarter, one row per council, measure, quarter, child and role
-- (numerator or denominator); contribution is how many of the child's records count (contacts, referrals,
-- assessments, conferences). See _social_care__measures.md for each measure's definition.
--   PI1.1  contacts received in the quarter
--   CSC001 referrals received in the quarter (CIN census referral date)
--   PI1.3  referrals in the quarter / contacts in the quarter
--   PI1.4  repeat referrals in the quarter (a previous referral of the child within 12 months before)
--   CSC002 repeat referrals / referrals in the quarter
--   CSC003 assessments authorised in the quarter within 45 working days / assessments authorised in the quarter
--   PI1.10 initial child protection conferences in the quarter within 15 working days of the section 47 strategy
--          discussion / conferences held in the quarter
with

quarters as (

    select * from {{ ref('int_social_care__reporting_periods') }}
    where period_type = 'quarter'
        and {{ councils_to_rebuild() }}

),

contacts as (

    select * from {{ ref('stg_social_care_local__contacts') }}
    where {{ councils_to_rebuild() }}

),

referrals as (

    select * from {{ ref('int_referrals_repeat_flagged') }}
    where {{ councils_to_rebuild() }}

),

assessments as (

    select * from {{ ref('int_social_care__assessments') }}
    where authorisation_date is not null
        and {{ councils_to_rebuild() }}

),

conferences as (

    select * from {{ ref('int_social_care__initial_conferences') }}
    where {{ councils_to_rebuild() }}

),

records as (

    select la_code, 'PI1.1' as measure_ref, 'numerator' as role, child_key, contact_date as record_date
    from contacts
    union all
    select la_code, 'CSC001', 'numerator', child_key, referral_date from referrals
    union all
    select la_code, 'PI1.3', 'numerator', child_key, referral_date from referrals
    union all
    select la_code, 'PI1.3', 'denominator', child_key, contact_date from contacts
    union all
    select la_code, 'PI1.4', 'numerator', child_key, referral_date from referrals
    where is_repeat_referral
    union all
    select la_code, 'CSC002', 'numerator', child_key, referral_date from referrals
    where is_repeat_referral
    union all
    select la_code, 'CSC002', 'denominator', child_key, referral_date from referrals
    union all
    select la_code, 'CSC003', 'numerator', child_key, authorisation_date from assessments
    where is_within_45_working_days
    union all
    select la_code, 'CSC003', 'denominator', child_key, authorisation_date from assessments
    union all
    select la_code, 'PI1.10', 'numerator', child_key, icpc_date from conferences
    where is_within_15_working_days
    union all
    select la_code, 'PI1.10', 'denominator', child_key, icpc_date from conferences

)

select
    quarters.la_code,
    records.measure_ref,
    quarters.period_type,
    quarters.period_start,
    quarters.period_end,
    records.child_key,
    records.role,
    count(*)::numeric as contribution,
    {{ council_inputs_watermark('quarters.la_code') }} as _inputs_watermark

from records
inner join quarters
    on quarters.la_code = records.la_code
    and records.record_date between quarters.period_start and quarters.period_end
group by 1, 2, 3, 4, 5, 6, 7
