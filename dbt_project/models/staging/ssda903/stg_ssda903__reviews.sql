with

source as (

    select * from {{ source('ssda903', 'ssda903_reviews') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        dob as birth_date,
        review as review_date,
        review_code as participation_code,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
