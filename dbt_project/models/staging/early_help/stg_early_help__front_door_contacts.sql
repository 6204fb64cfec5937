with

source as (

    select * from {{ source('early_help', 'contacts') }}

),

renamed as (

    select
        la_code,
        contactid as contact_id,
        lachildid as child_key,
        contactdate as contact_date,
        contactsource as contact_source,
        outcome as contact_outcome,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
