with

source as (

    select * from {{ source('ssda903', 'ssda903_oc2') }}

),

renamed as (

    select
        la_code,
        collection_year::integer as collection_year,
        child as child_key,
        dob as birth_date,
        sdq_score,
        sdq_reason,
        convicted as is_convicted,
        health_check as had_health_check,
        immunisations as had_immunisations,
        teeth_check as had_teeth_check,
        health_assessment as had_health_assessment,
        substance_misuse as has_substance_misuse,
        intervention_received as received_intervention,
        intervention_offered as offered_intervention,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
