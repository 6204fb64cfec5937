-- Children adopted, one row per period of care that ended in adoption (REC E11 or E12), with the dates the adoption
-- measures count between: entering care (the start of that period of care, as the adoption scorecard A1 does),
-- moving in with the adoptive family (the first episode of the period placed for adoption, A3-A6), moving in with
-- the carers who adopted the child (the start of the placement that became the adoptive placement: earlier than
-- the adoptive placement when foster carers adopt), the court's authority to place (the first episode under a
-- placement order, legal status E1, or placed with consent, D1) and the match with the adopters (SSDA903 AD1).
with

periods as (

    select * from {{ ref('int_social_care__care_periods') }}

),

episodes as (

    select * from {{ ref('int_social_care__care_episodes') }}

),

placements as (

    select * from {{ ref('int_social_care__placements') }}

),

ad1 as (

    select * from {{ ref('stg_ssda903__adoptions') }}

),

adopted as (

    select * from periods
    where reason_period_ceased in ('E11', 'E12')

),

episode_dates as (

    select
        la_code,
        child_key,
        period_number,
        min(episode_start_date) filter (where placement_type in ('A3', 'A4', 'A5', 'A6')) as placed_for_adoption_date,
        min(episode_start_date) filter (where legal_status in ('E1', 'D1')) as authority_to_place_date

    from episodes
    group by 1, 2, 3

),

adoptive_placements as (

    select
        la_code,
        child_key,
        period_number,
        min(placement_start_date) as moved_in_with_adopters_date

    from placements
    where adoptive_start_date is not null
    group by 1, 2, 3

)

select
    adopted.la_code,
    adopted.child_key,
    adopted.period_number,
    adopted.period_start_date as entered_care_date,
    adopted.period_end_date as adoption_date,
    episode_dates.placed_for_adoption_date,
    adoptive_placements.moved_in_with_adopters_date,
    episode_dates.authority_to_place_date,
    ad1.match_date,
    ad1.is_adopted_by_foster_carer

from adopted
left join episode_dates
    on episode_dates.la_code = adopted.la_code
    and episode_dates.child_key = adopted.child_key
    and episode_dates.period_number = adopted.period_number
left join adoptive_placements
    on adoptive_placements.la_code = adopted.la_code
    and adoptive_placements.child_key = adopted.child_key
    and adoptive_placements.period_number = adopted.period_number
left join ad1
    on ad1.la_code = adopted.la_code
    and ad1.child_key = adopted.child_key
