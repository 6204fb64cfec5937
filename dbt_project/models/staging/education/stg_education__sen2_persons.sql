with

source as (

    select * from {{ source('education', 'sen2_persons') }}

),

renamed as (

    select
        la_code,
        upn as pupil_key,
        personbirthdate as date_of_birth,
        sex,
        ethnicity,
        uniquelearnernumber as learner_key,
        upnunknown as upn_unknown_reason,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
