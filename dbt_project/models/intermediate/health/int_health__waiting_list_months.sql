{{ config(**council_incremental_config()) }}
-- The neurodevelopmental diagnostic waiting lists, one row per council, clinical commissioning group, pathway (ASD,
-- ADHD, OTHER) and month of the health reporting window, with every combination of a council's CCGs and pathways in
-- every month (zeros where nothing happened). Only appropriate referrals join the list; a referral is awaiting
-- assessment at the end of a day when it was referred on or before that day and neither its assessment nor its
-- removal from the list started on or before it. So, worked out independently of each other:
--   awaiting_at_end = awaiting_at_start + appropriate_referrals - assessments_started - removed_from_list
-- (awaiting_at_start is the position at the end of the previous month). Waits are in weeks (days / 7).
with

months as (

    select * from {{ ref('int_months') }}
    where domain = 'health'
        and {{ councils_to_rebuild() }}

),

referrals as (

    select * from {{ ref('stg_health__diagnostic_pathway_referrals') }}
    where {{ councils_to_rebuild() }}

),

lists as (

    select
        la_code,
        ccg_code,
        max(ccg_name) as ccg_name,
        pathway

    from referrals
    group by la_code, ccg_code, pathway

),

list_months as (

    select
        months.la_code,
        lists.ccg_code,
        lists.ccg_name,
        lists.pathway,
        months.period_start,
        months.period_end,
        months.period_label

    from months
    inner join lists
        on lists.la_code = months.la_code

),

-- each month with every referral made by its end, and what had happened to the referral by then
referral_months as (

    select
        list_months.la_code,
        list_months.ccg_code,
        list_months.pathway,
        list_months.period_start,
        list_months.period_end,
        referrals.referral_id,
        referrals.is_appropriate,
        referrals.referral_date,
        referrals.assessment_start_date,
        referrals.removed_date,
        referrals.intervention_date,
        referrals.referral_date between list_months.period_start and list_months.period_end as is_referred_in_month,
        referrals.assessment_start_date between list_months.period_start and list_months.period_end
            as is_assessed_in_month,
        referrals.intervention_date between list_months.period_start and list_months.period_end
            as is_intervention_in_month,
        referrals.is_appropriate
            and referrals.referral_date < list_months.period_start
            and (referrals.assessment_start_date is null or referrals.assessment_start_date >= list_months.period_start)
            and (referrals.removed_date is null or referrals.removed_date >= list_months.period_start)
            as is_awaiting_at_start,
        referrals.is_appropriate
            and (referrals.assessment_start_date is null or referrals.assessment_start_date > list_months.period_end)
            and (referrals.removed_date is null or referrals.removed_date > list_months.period_end)
            as is_awaiting_at_end,
        referrals.assessment_start_date <= list_months.period_end
            and (referrals.intervention_date is null or referrals.intervention_date > list_months.period_end)
            as is_awaiting_intervention_at_end

    from list_months
    inner join referrals
        on referrals.la_code = list_months.la_code
        and referrals.ccg_code = list_months.ccg_code
        and referrals.pathway = list_months.pathway
        and referrals.referral_date <= list_months.period_end

),

counted as (

    select
        la_code,
        ccg_code,
        pathway,
        period_start,
        count(*) filter (where is_awaiting_at_start) as awaiting_at_start,
        count(*) filter (where is_referred_in_month) as referrals_received,
        count(*) filter (where is_referred_in_month and not is_appropriate) as inappropriate_referrals,
        count(*) filter (where is_referred_in_month and is_appropriate) as appropriate_referrals,
        count(*) filter (where is_appropriate and is_assessed_in_month) as assessments_started,
        count(*) filter (
            where is_appropriate and removed_date between period_start and period_end
        ) as removed_from_list,
        count(*) filter (where is_awaiting_at_end) as awaiting_at_end,
        trim_scale(
            sum(assessment_start_date - referral_date) filter (where is_appropriate and is_assessed_in_month) / 7.0
        ) as wait_for_assessment_weeks_total,
        trim_scale(max(period_end - referral_date) filter (where is_awaiting_at_end) / 7.0)
            as longest_wait_for_assessment_weeks,
        count(*) filter (where is_intervention_in_month) as interventions_started,
        trim_scale(sum(intervention_date - assessment_start_date) filter (where is_intervention_in_month) / 7.0)
            as wait_for_intervention_weeks_total,
        trim_scale(max(period_end - assessment_start_date) filter (where is_awaiting_intervention_at_end) / 7.0)
            as longest_wait_for_intervention_weeks,
        count(*) filter (
            where is_appropriate and is_assessed_in_month and assessment_start_date - referral_date <= 91
        ) as assessments_within_13_weeks

    from referral_months
    group by la_code, ccg_code, pathway, period_start

)

select
    list_months.la_code,
    list_months.ccg_code,
    list_months.ccg_name,
    list_months.pathway,
    list_months.period_start,
    list_months.period_end,
    list_months.period_label,
    coalesce(counted.awaiting_at_start, 0) as awaiting_at_start,
    coalesce(counted.referrals_received, 0) as referrals_received,
    coalesce(counted.inappropriate_referrals, 0) as inappropriate_referrals,
    coalesce(counted.appropriate_referrals, 0) as appropriate_referrals,
    coalesce(counted.assessments_started, 0) as assessments_started,
    coalesce(counted.removed_from_list, 0) as removed_from_list,
    coalesce(counted.awaiting_at_end, 0) as awaiting_at_end,
    coalesce(counted.wait_for_assessment_weeks_total, 0) as wait_for_assessment_weeks_total,
    counted.longest_wait_for_assessment_weeks,
    coalesce(counted.interventions_started, 0) as interventions_started,
    coalesce(counted.wait_for_intervention_weeks_total, 0) as wait_for_intervention_weeks_total,
    counted.longest_wait_for_intervention_weeks,
    coalesce(counted.assessments_within_13_weeks, 0) as assessments_within_13_weeks,
    {{ council_inputs_watermark('list_months.la_code') }} as _inputs_watermark

from list_months
left join counted
    on counted.la_code = list_months.la_code
    and counted.ccg_code = list_months.ccg_code
    and counted.pathway = list_months.pathway
    and counted.period_start = list_months.period_start
