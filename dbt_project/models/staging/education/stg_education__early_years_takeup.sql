with

source as (

    select * from {{ source('education', 'early_years_takeup') }}

),

renamed as (

    select
        la_code,
        academic_year as academic_year_label,
        term as term_code,
        offer,
        child_id as child_key,
        dob as date_of_birth,
        eligibility_basis,
        taking_up as is_taking_up,
        funded_hours,
        provider_type,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
