with

source as (

    select * from {{ source('health', 'initial_health_assessments') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        decom as care_start_date,
        iha_requested as requested_date,
        iha_completed as completed_date,
        iha_completed_by as completed_by,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
