with

source as (

    select * from {{ source('ssda903', 'ssda903_missing') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        dob as birth_date,
        missing as missing_type,
        mis_start as missing_start_date,
        mis_end as missing_end_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
