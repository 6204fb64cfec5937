with

source as (

    select * from {{ source('health', 'ssda903_episodes') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        decom as episode_start_date,
        rne as reason_new_episode,
        ls as legal_status,
        place as placement_type,
        dec as episode_end_date,
        rec as reason_episode_ceased,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
