with

source as (

    select * from {{ source('education', 'neet_activity') }}

),

renamed as (

    select
        la_code,
        snapshot_date,
        upn as young_person_key,
        dob as date_of_birth,
        academic_age,
        activity_code,
        activity_group,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
