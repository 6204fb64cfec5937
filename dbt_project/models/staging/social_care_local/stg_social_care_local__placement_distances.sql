with

source as (

    select * from {{ source('social_care_local', 'placement_distances') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        decom as episode_start_date,
        distance_miles,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
