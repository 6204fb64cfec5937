with

source as (

    select * from {{ source('education', 'school_census_pupils') }}

),

renamed as (

    select
        la_code,
        term as census_term,
        year as census_year,
        referencedate as census_date,
        urn,
        upn as pupil_key,
        formerupn as former_pupil_key,
        dob as date_of_birth,
        gender,
        entrydate as entry_date,
        enrolstatus as enrol_status,
        ncyearactual as nc_year,
        senprovision as sen_provision,
        incare as is_in_care,
        adoptedfromcare as adopted_from_care,
        termlysessionspossible as sessions_possible,
        termlysessionsauthorised as sessions_authorised_absence,
        termlysessionsunauthorised as sessions_unauthorised_absence,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
