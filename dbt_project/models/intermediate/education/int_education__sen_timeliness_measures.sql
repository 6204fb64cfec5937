{{ config(**council_incremental_config()) }}
-- SEN assessment activity and timeliness, by financial quarter (and financial year to date for Ed&S012):
--   PI10.2   requests for an EHC needs assessment received in the quarter (SEN2 requests; a count)
--   Ed&S011  EP advice returned in the quarter within 6 weeks (42 days) of being requested, as a percentage of EP
--            advice returned in the quarter; returned on day 42 is in time
--   Ed&S012  new EHC plans issued in the financial year to date within 20 weeks (140 days) of the request, as a
--            percentage of new plans issued in the year to date, plans with an exception to the time limit included
--            in both ("including exceptions"); a plan issued on day 140 is in time
--   Ed&S013  average weeks from request to issue over the new plans issued in the quarter
-- New plans are those not transferred from a statement of SEN.
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'education'
        and {{ councils_to_rebuild() }}

),

requests as (

    select * from {{ ref('stg_education__sen2_requests') }}
    where {{ councils_to_rebuild() }}

),

plans as (

    select
        *,
        plan_issued_date - request_received_date as days_to_issue,
        ep_advice_received_date - ep_advice_requested_date as days_to_ep_advice

    from {{ ref('stg_education__ehc_plans') }}
    where {{ councils_to_rebuild() }}

),

new_plans as (

    select * from plans
    where not is_transfer_from_statement
        and plan_issued_date is not null
        and request_received_date is not null

),

requests_received as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(requests.received_date) as numerator,
        null::bigint as denominator

    from quarters
    left join requests
        on requests.la_code = quarters.la_code
        and requests.received_date between quarters.period_start and quarters.period_end
    group by 1, 2, 3

),

ep_advice as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(plans.plan_id) filter (where plans.days_to_ep_advice <= 42) as numerator,
        count(plans.plan_id) as denominator

    from quarters
    left join plans
        on plans.la_code = quarters.la_code
        and plans.ep_advice_received_date between quarters.period_start and quarters.period_end
        and plans.ep_advice_requested_date is not null
    group by 1, 2, 3

),

issued_in_year_to_date as (

    select
        quarters.la_code,
        make_date(quarters.financial_year, 4, 1) as period_start,
        quarters.period_end,
        count(new_plans.plan_id) filter (where new_plans.days_to_issue <= 140) as numerator,
        count(new_plans.plan_id) as denominator

    from quarters
    left join new_plans
        on new_plans.la_code = quarters.la_code
        and new_plans.plan_issued_date between make_date(quarters.financial_year, 4, 1) and quarters.period_end
    group by 1, 2, 3

),

weeks_to_issue as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        trim_scale(sum(new_plans.days_to_issue) / 7.0) as numerator,
        count(new_plans.plan_id) as denominator

    from quarters
    left join new_plans
        on new_plans.la_code = quarters.la_code
        and new_plans.plan_issued_date between quarters.period_start and quarters.period_end
    group by 1, 2, 3

),

measures as (

    select la_code, 'PI10.2' as measure_ref, 'quarter' as period_type, period_start, period_end,
        numerator::numeric as numerator, denominator::numeric as denominator, numerator::numeric as value
    from requests_received
    union all
    select la_code, 'Ed&S011', 'quarter', period_start, period_end, numerator, denominator,
        trim_scale(100.0 * numerator / nullif(denominator, 0))
    from ep_advice
    union all
    select la_code, 'Ed&S012', 'year_to_date', period_start, period_end, numerator, denominator,
        trim_scale(100.0 * numerator / nullif(denominator, 0))
    from issued_in_year_to_date
    union all
    select la_code, 'Ed&S013', 'quarter', period_start, period_end, coalesce(numerator, 0), denominator,
        trim_scale(numerator / nullif(denominator, 0))
    from weeks_to_issue

)

select
    *,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures
