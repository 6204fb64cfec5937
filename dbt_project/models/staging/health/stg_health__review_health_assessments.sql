with

source as (

    select * from {{ source('health', 'review_health_assessments') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        decom as care_start_date,
        rha_due as due_date,
        rha_completed as completed_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
