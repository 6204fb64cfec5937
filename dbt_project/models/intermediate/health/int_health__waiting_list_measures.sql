{{ config(**council_incremental_config()) }}
-- The nine waiting-list indicators WL1-WL9 for each month, in total over every clinical commissioning group and
-- pathway of the council (marts.fct_waiting_lists has them per CCG and pathway):
--   WL1 awaiting assessment at month end; WL2 average weeks from referral to assessment over assessments started in
--   the month; WL3 longest wait in weeks among those awaiting assessment at month end; WL4 average weeks from
--   assessment to intervention over interventions started in the month; WL5 longest wait in weeks since assessment
--   among those assessed and awaiting intervention at month end; WL6 referrals received; WL7 inappropriate
--   referrals received; WL8 assessments started (undertaken); WL9 assessments started in the month within 13 weeks
--   (91 days) of referral, as a percentage of assessments started in the month.
with

months as (

    select * from {{ ref('int_months') }}
    where domain = 'health'
        and {{ councils_to_rebuild() }}

),

lists as (

    select * from {{ ref('int_health__waiting_list_months') }}
    where {{ councils_to_rebuild() }}

),

totals as (

    select
        months.la_code,
        months.period_start,
        months.period_end,
        coalesce(sum(lists.awaiting_at_end), 0) as awaiting_at_end,
        coalesce(sum(lists.wait_for_assessment_weeks_total), 0) as wait_for_assessment_weeks_total,
        coalesce(sum(lists.assessments_started), 0) as assessments_started,
        max(lists.longest_wait_for_assessment_weeks) as longest_wait_for_assessment_weeks,
        coalesce(sum(lists.wait_for_intervention_weeks_total), 0) as wait_for_intervention_weeks_total,
        coalesce(sum(lists.interventions_started), 0) as interventions_started,
        max(lists.longest_wait_for_intervention_weeks) as longest_wait_for_intervention_weeks,
        coalesce(sum(lists.referrals_received), 0) as referrals_received,
        coalesce(sum(lists.inappropriate_referrals), 0) as inappropriate_referrals,
        coalesce(sum(lists.assessments_within_13_weeks), 0) as assessments_within_13_weeks

    from months
    left join lists
        on lists.la_code = months.la_code
        and lists.period_start = months.period_start
    group by 1, 2, 3

),

measures as (

    select la_code, 'WL1' as measure_ref, period_start, period_end,
        awaiting_at_end::numeric as numerator, null::numeric as denominator, awaiting_at_end::numeric as value
    from totals
    union all
    select la_code, 'WL2', period_start, period_end, wait_for_assessment_weeks_total, assessments_started,
        trim_scale(wait_for_assessment_weeks_total / nullif(assessments_started, 0))
    from totals
    union all
    select la_code, 'WL3', period_start, period_end, longest_wait_for_assessment_weeks, null,
        longest_wait_for_assessment_weeks
    from totals
    union all
    select la_code, 'WL4', period_start, period_end, wait_for_intervention_weeks_total, interventions_started,
        trim_scale(wait_for_intervention_weeks_total / nullif(interventions_started, 0))
    from totals
    union all
    select la_code, 'WL5', period_start, period_end, longest_wait_for_intervention_weeks, null,
        longest_wait_for_intervention_weeks
    from totals
    union all
    select la_code, 'WL6', period_start, period_end, referrals_received, null, referrals_received
    from totals
    union all
    select la_code, 'WL7', period_start, period_end, inappropriate_referrals, null, inappropriate_referrals
    from totals
    union all
    select la_code, 'WL8', period_start, period_end, assessments_started, null, assessments_started
    from totals
    union all
    select la_code, 'WL9', period_start, period_end, assessments_within_13_weeks, assessments_started,
        trim_scale(100.0 * assessments_within_13_weeks / nullif(assessments_started, 0))
    from totals

)

select
    la_code,
    measure_ref,
    'month' as period_type,
    period_start,
    period_end,
    numerator,
    denominator,
    value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures
