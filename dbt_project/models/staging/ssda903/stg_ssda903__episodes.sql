with

source as (

    select * from {{ source('ssda903', 'ssda903_episodes') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        decom as episode_start_date,
        rne as reason_new_episode,
        ls as legal_status,
        cin as category_of_need,
        place as placement_type,
        place_provider as placement_provider,
        dec as episode_end_date,
        rec as reason_episode_ceased,
        reason_place_change as reason_placement_change,
        home_post as home_postcode_sector,
        pl_post as placement_postcode_sector,
        urn as placement_urn,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
