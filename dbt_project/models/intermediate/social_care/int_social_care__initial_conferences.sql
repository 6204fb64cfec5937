{{ config(**council_incremental_config()) }}
-- One row per initial child protection conference (ICPC) held, from the CIN census Section47 module: the working
-- days from the strategy discussion that started the section 47 enquiry to the conference, and whether it was held
-- within 15 working days (the start day is day 0, so a conference on the 15th working day is in time).
with

enquiries as (

    select * from {{ ref('stg_cin__section47_enquiries') }}
    where {{ councils_to_rebuild() }}

),

held as (

    select
        la_code,
        child_key,
        cin_details_id,
        enquiry_start_date,
        icpc_date,
        {{ working_days_between('enquiry_start_date', 'icpc_date') }} as working_days

    from enquiries
    where icpc_date is not null

)

select
    *,
    working_days <= 15 as is_within_15_working_days,
    {{ council_inputs_watermark() }} as _inputs_watermark

from held
