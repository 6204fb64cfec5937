with

source as (

    select * from {{ source('education', 'ofsted_inspections') }}

),

renamed as (

    select
        la_code,
        urn,
        inspectiondate as inspection_date,
        publicationdate as publication_date,
        overalleffectiveness::int as overall_effectiveness,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
