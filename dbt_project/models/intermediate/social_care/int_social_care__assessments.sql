{{ config(**council_incremental_config()) }}
-- One row per CIN census assessment (the Assessments module repeats an assessment once per factor), with the
-- working days it took and whether it was completed in timescale. Timescales count working days (Monday to Friday,
-- not an England bank holiday) the DfE way: the start day is day 0 and every working day after it up to and
-- including the authorisation date adds one, so an assessment authorised on the 45th working day is in timescale.
-- The clock starts at the referral for the first assessment of an episode of need (Working Together: 45 working
-- days from the point of referral) and at its own start for any later assessment in the same episode.
with

assessment_factors as (

    select * from {{ ref('stg_cin__assessments') }}
    where {{ councils_to_rebuild() }}

),

referrals as (

    select * from {{ ref('stg_cin__referrals') }}
    where {{ councils_to_rebuild() }}

),

assessments as (

    select
        la_code,
        child_key,
        cin_details_id,
        assessment_id,
        min(assessment_start_date) as assessment_start_date,
        min(authorisation_date) as authorisation_date

    from assessment_factors
    group by 1, 2, 3, 4

),

numbered as (

    select
        assessments.*,
        referrals.referral_date,
        row_number() over (
            partition by assessments.la_code, assessments.child_key, assessments.cin_details_id
            order by assessments.assessment_start_date, assessments.assessment_id
        ) as assessment_number

    from assessments
    left join referrals
        on referrals.la_code = assessments.la_code
        and referrals.child_key = assessments.child_key
        and referrals.cin_details_id = assessments.cin_details_id

),

clocked as (

    select
        *,
        case
            when assessment_number = 1 then least(coalesce(referral_date, assessment_start_date), assessment_start_date)
            else assessment_start_date
        end as timescale_start_date

    from numbered

),

timed as (

    select
        *,
        {{ working_days_between('timescale_start_date', 'authorisation_date') }} as working_days

    from clocked

)

select
    la_code,
    child_key,
    cin_details_id,
    assessment_id,
    assessment_number,
    referral_date,
    assessment_start_date,
    authorisation_date,
    timescale_start_date,
    working_days,
    coalesce(working_days <= 45, false) as is_within_45_working_days,
    {{ council_inputs_watermark() }} as _inputs_watermark

from timed
