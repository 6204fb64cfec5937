-- The neurodevelopmental diagnostic waiting lists per council, clinical commissioning group, pathway and month: the
-- nine waiting-list indicators (wl1_ .. wl9_; their totals over every CCG and pathway are on the scorecard as
-- WL1-WL9) with the counts they are made of, so a CCG's figure over all its pathways is a sum (counts, week totals)
-- or a max (longest waits) of these rows. The list reconciles on every row:
--   wl1_awaiting_at_end = awaiting_at_start + appropriate_referrals - wl8_assessments_started - removed_from_list
-- Aggregates only: no person identifier.
with

lists as (

    select * from {{ ref('int_health__waiting_list_months') }}

)

select
    la_code::text as la_code,
    ccg_code::text as ccg_code,
    ccg_name::text as ccg_name,
    pathway::text as pathway,
    period_start::date as period_start,
    period_end::date as period_end,
    period_label::text as period_label,
    {{ financial_year('period_end') }}::integer as financial_year,
    awaiting_at_start::integer as awaiting_at_start,
    appropriate_referrals::integer as appropriate_referrals,
    removed_from_list::integer as removed_from_list,
    wait_for_assessment_weeks_total::numeric as wait_for_assessment_weeks_total,
    interventions_started::integer as interventions_started,
    wait_for_intervention_weeks_total::numeric as wait_for_intervention_weeks_total,
    assessments_within_13_weeks::integer as assessments_within_13_weeks,
    awaiting_at_end::integer as wl1_awaiting_at_end,
    (wait_for_assessment_weeks_total / nullif(assessments_started, 0))::numeric
        as wl2_average_wait_for_assessment_weeks,
    longest_wait_for_assessment_weeks::numeric as wl3_longest_wait_for_assessment_weeks,
    (wait_for_intervention_weeks_total / nullif(interventions_started, 0))::numeric
        as wl4_average_wait_for_intervention_weeks,
    longest_wait_for_intervention_weeks::numeric as wl5_longest_wait_for_intervention_weeks,
    referrals_received::integer as wl6_referrals_received,
    inappropriate_referrals::integer as wl7_inappropriate_referrals,
    assessments_started::integer as wl8_assessments_started,
    (100.0 * assessments_within_13_weeks / nullif(assessments_started, 0))::numeric
        as wl9_percent_started_within_13_weeks

from lists
