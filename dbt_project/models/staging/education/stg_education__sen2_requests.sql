with

source as (

    select * from {{ source('education', 'sen2_requests') }}

),

renamed as (

    select
        la_code,
        upn as pupil_key,
        receiveddate as received_date,
        requestsource as request_source,
        rya as is_in_youth_accommodation,
        requestoutcomedate as request_outcome_date,
        requestoutcome as request_outcome,
        requestmediation as is_mediation,
        requesttribunal as is_tribunal,
        exported as is_exported,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
