with

source as (

    select * from {{ source('cin', 'cin_assessments') }}

),

renamed as (

    select
        la_code,
        lachildid as child_key,
        cindetailsid as cin_details_id,
        assessmentid as assessment_id,
        assessmentactualstartdate as assessment_start_date,
        assessmentinternalreviewdate as internal_review_date,
        assessmentauthorisationdate as authorisation_date,
        assessmentfactors as assessment_factor,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
