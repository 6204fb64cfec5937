with

source as (

    select * from {{ source('cin', 'cin_child_identifiers') }}

),

renamed as (

    select
        la_code,
        lachildid as child_key,
        upn as upn_key,
        formerupn as former_upn_key,
        upnunknown as upn_unknown_reason,
        personbirthdate as birth_date,
        expectedpersonbirthdate as expected_birth_date,
        sex,
        persondeathdate as death_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
