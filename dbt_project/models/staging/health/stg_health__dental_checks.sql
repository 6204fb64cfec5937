with

source as (

    select * from {{ source('health', 'dental_checks') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        decom as care_start_date,
        check_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
