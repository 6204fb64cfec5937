with

source as (

    select * from {{ source('education', 'cme_register') }}

),

renamed as (

    select
        la_code,
        register_id,
        upn as pupil_key,
        dob as date_of_birth,
        gender,
        ncyear_at_start as nc_year_at_start,
        start_date,
        end_date,
        outcome,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
