with

source as (

    select * from {{ source('education', 'sen2_assessments') }}

),

renamed as (

    select
        la_code,
        upn as pupil_key,
        receiveddate as request_received_date,
        assessmentoutcome as assessment_outcome,
        assessmentoutcomedate as assessment_outcome_date,
        assessmentmediation as is_assessment_mediation,
        assessmenttribunal as is_assessment_tribunal,
        othermediation as is_other_mediation,
        othertribunal as is_other_tribunal,
        week20 as has_20_week_exception,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
