with

source as (

    select * from {{ source('health', 'diagnostic_pathway_events') }}

),

renamed as (

    select
        la_code,
        referral_id,
        pathway,
        ccg_code,
        ccg_name,
        nhs_number as person_key,
        dob as date_of_birth,
        referral_date,
        appropriate as is_appropriate,
        assessment_start_date,
        removed_date,
        removal_reason,
        intervention_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
