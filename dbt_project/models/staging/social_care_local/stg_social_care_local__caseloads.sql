with

source as (

    select * from {{ source('social_care_local', 'social_worker_caseloads') }}

),

renamed as (

    select
        la_code,
        snapshotdate as snapshot_date,
        workerid as worker_id,
        team,
        fte,
        casecount as case_count,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
