with

source as (

    select * from {{ source('cin', 'cin_disabilities') }}

),

renamed as (

    select
        la_code,
        lachildid as child_key,
        disability,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
