with

source as (

    select * from {{ source('education', 'ehcp_plans') }}

),

renamed as (

    select
        la_code,
        plan_id,
        upn as pupil_key,
        request_received_date,
        twenty_week_due_date,
        ep_advice_requested_date,
        ep_advice_received_date,
        plan_issued_date,
        exception_applies as has_exception,
        exception_reason,
        transfer_from_statement as is_transfer_from_statement,
        statement_date,
        ceased_date,
        cease_reason,
        primary_need,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
