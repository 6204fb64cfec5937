with

source as (

    select * from {{ source('ssda903', 'ssda903_uasc') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        sex,
        dob as birth_date,
        duc as uasc_ceased_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
