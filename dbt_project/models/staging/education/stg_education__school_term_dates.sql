with

source as (

    select * from {{ source('education', 'school_term_dates') }}

),

renamed as (

    select
        la_code,
        academic_year as academic_year_label,
        term as term_code,
        half_term as half_term_number,
        start_date as half_term_start_date,
        end_date as half_term_end_date,
        census_date,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
