with

source as (

    select * from {{ source('ssda903', 'ssda903_oc3') }}

),

renamed as (

    select
        la_code,
        collection_year::integer as collection_year,
        child as child_key,
        dob as birth_date,
        in_touch,
        activ as activity,
        accom as accommodation,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
