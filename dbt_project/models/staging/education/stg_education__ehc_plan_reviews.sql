with

source as (

    select * from {{ source('education', 'ehcp_annual_reviews') }}

),

renamed as (

    select
        la_code,
        plan_id,
        upn as pupil_key,
        review_due_date,
        review_meeting_date,
        review_decision_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
