with

source as (

    select * from {{ source('early_help', 'children_centre_engagement') }}

),

renamed as (

    select
        la_code,
        child_id as child_key,
        attendance_date,
        centre,
        activity,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
