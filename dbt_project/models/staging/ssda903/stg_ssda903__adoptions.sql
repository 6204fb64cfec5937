with

source as (

    select * from {{ source('ssda903', 'ssda903_ad1') }}

),

renamed as (

    select
        la_code,
        child as child_key,
        dob as birth_date,
        date_int as decision_date,
        date_match as match_date,
        foster_care as is_adopted_by_foster_carer,
        nb_adoptr as adopter_count,
        sex_adoptr as adopter_sexes,
        ls_adoptr as adopter_legal_status,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
