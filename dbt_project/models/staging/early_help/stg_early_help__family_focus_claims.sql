with

source as (

    select * from {{ source('early_help', 'family_focus_claims') }}

),

renamed as (

    select
        la_code,
        claim_id,
        family_id as family_key,
        attachment_date,
        claim_date,
        outcome,
        children_in_family,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
