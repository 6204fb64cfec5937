with

source as (

    select * from {{ source('early_help', 'children_centre_registrations') }}

),

renamed as (

    select
        la_code,
        child_id as child_key,
        dob as date_of_birth,
        registration_date,
        centre,
        vulnerability,
        vulnerability_start_date,
        vulnerability_end_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
