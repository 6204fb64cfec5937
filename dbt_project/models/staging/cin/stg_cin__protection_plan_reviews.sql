with

source as (

    select * from {{ source('cin', 'cin_cpp_reviews') }}

),

renamed as (

    select
        la_code,
        lachildid as child_key,
        cindetailsid as cin_details_id,
        cppid as cpp_id,
        cppreviewdate as review_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
