-- Each referral with the date of the same child's latest earlier referral, and whether it is a repeat referral:
-- a referral within 12 months of a previous referral (on the anniversary itself still counts as within).
with

referrals as (

    select * from {{ ref('stg_cin__referrals') }}

),

with_previous as (

    select
        *,
        max(referral_date) over (
            partition by la_code, child_key
            order by referral_date
            range between unbounded preceding and interval '1 day' preceding
        ) as previous_referral_date

    from referrals

)

select
    *,
    coalesce(previous_referral_date >= (referral_date - interval '12 months')::date, false) as is_repeat_referral

from with_previous
