with

source as (

    select * from {{ source('ssda903', 'ssda903_previous_permanence') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        dob as birth_date,
        prev_perm as previous_permanence,
        la_perm as permanence_la_code,
        date_perm as permanence_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
