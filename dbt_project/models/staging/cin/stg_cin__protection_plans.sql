with

source as (

    select * from {{ source('cin', 'cin_child_protection_plans') }}

),

renamed as (

    select
        la_code,
        lachildid as child_key,
        cindetailsid as cin_details_id,
        cppid as cpp_id,
        cppstartdate as plan_start_date,
        cppenddate as plan_end_date,
        initialcategoryofabuse as initial_category_of_abuse,
        latestcategoryofabuse as latest_category_of_abuse,
        numberofpreviouscpp as previous_plan_count,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
