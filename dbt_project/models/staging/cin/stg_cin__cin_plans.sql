with

source as (

    select * from {{ source('cin', 'cin_plan_dates') }}

),

renamed as (

    select
        la_code,
        lachildid as child_key,
        cindetailsid as cin_details_id,
        cinplanstartdate as plan_start_date,
        cinplanenddate as plan_end_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
