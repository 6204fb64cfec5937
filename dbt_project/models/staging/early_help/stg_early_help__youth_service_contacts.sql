with

source as (

    select * from {{ source('early_help', 'youth_service_contacts') }}

),

renamed as (

    select
        la_code,
        contact_id,
        person_id as young_person_key,
        dob as date_of_birth,
        gender,
        contact_date,
        contact_type,
        service,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
