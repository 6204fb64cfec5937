with

source as (

    select * from {{ source('extract', 'extract_manifest') }}

),

renamed as (

    select
        la_code,
        manifest_domain as domain,
        extractdate as extract_date,
        periodstart as window_start,
        periodend as window_end,
        system as source_system

    from source

)

select * from renamed
