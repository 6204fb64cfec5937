with

source as (

    select * from {{ source('education', 'school_census_exclusions') }}

),

renamed as (

    select
        la_code,
        term as census_term,
        year as census_year,
        urn,
        upn as pupil_key,
        startdate as start_date,
        category as exclusion_category,
        reason as exclusion_reason,
        sessions,
        incare as is_in_care,
        senprovision as sen_provision,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
