with

source as (

    select * from {{ source('cin', 'cin_details') }}

),

renamed as (

    select
        la_code,
        lachildid as child_key,
        cindetailsid as cin_details_id,
        cinreferraldate as referral_date,
        referralsource as referral_source,
        primaryneedcode as primary_need_code,
        cinclosuredate as closure_date,
        reasonforclosure as reason_for_closure,
        dateofinitialcpc as initial_cpc_date,
        referralnfa as is_nfa,
        _batch_id as batch_id,
        _row_number as source_row_number

    from source

)

select * from renamed
