with

source as (

    select * from {{ source('social_care_local', 'child_population') }}

),

renamed as (

    select
        la_code,
        year as estimate_year,
        age,
        population,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
