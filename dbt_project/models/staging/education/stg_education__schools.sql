with

source as (

    select * from {{ source('education', 'schools') }}

),

renamed as (

    select
        la_code,
        urn,
        schoolname as school_name,
        phase,
        type as school_type,
        opendate as open_date,
        closedate as close_date,
        predecessorurn as predecessor_urn,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
