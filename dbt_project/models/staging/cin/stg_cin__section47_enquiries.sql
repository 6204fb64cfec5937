with

source as (

    select * from {{ source('cin', 'cin_section47') }}

),

renamed as (

    select
        la_code,
        lachildid as child_key,
        cindetailsid as cin_details_id,
        s47actualstartdate as enquiry_start_date,
        initialcpctarget as icpc_target_date,
        dateofinitialcpc as icpc_date,
        icpcnotrequired as is_icpc_not_required,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
