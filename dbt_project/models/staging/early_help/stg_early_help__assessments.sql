with

source as (

    select * from {{ source('early_help', 'early_help_assessments') }}

),

renamed as (

    select
        la_code,
        assessment_id,
        child_id as child_key,
        dob as date_of_birth,
        gender,
        start_date,
        completion_date,
        end_date,
        lead_agency_type,
        lead_organisation,
        closure_reason,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
