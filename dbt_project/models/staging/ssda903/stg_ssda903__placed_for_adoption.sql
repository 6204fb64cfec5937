with

source as (

    select * from {{ source('ssda903', 'ssda903_placed_for_adoption') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        dob as birth_date,
        date_placed as decision_date,
        date_placed_ceased as decision_ceased_date,
        reason_placed_ceased as decision_ceased_reason,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
