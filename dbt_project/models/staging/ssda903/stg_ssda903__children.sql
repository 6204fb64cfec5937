with

source as (

    select * from {{ source('ssda903', 'ssda903_header') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        sex,
        dob as birth_date,
        ethnic as ethnicity,
        upn as upn_key,
        mother as is_mother,
        mc_dob as first_child_birth_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
