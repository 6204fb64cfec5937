{{ config(**council_incremental_config()) }}
-- EHC plans and their annual reviews:
--   Ed&S010  children and young people with an EHC plan, or a statement of SEN not yet transferred, at the end of
--            each financial quarter (the 2017-18 line 10.6 the history follows; statements ended in March 2018)
--   PI10.4   statements of SEN still to be transferred to an EHC plan at the end of each quarter (the statement is
--            in force and neither transferred nor ceased)
--   Ed&S014  annual reviews due in the quarter held in timescale (meeting on or before the due date and the
--            council's decision within 4 weeks, 28 days, of the meeting), as a percentage of reviews due in it
--   Ed&S015  annual reviews outstanding at the end of each quarter: due on or before it, no decision by it, on a
--            plan still in force
-- A plan is in force on a day from plan_issued_date (a statement from statement_date) until ceased_date, exclusive.
with

quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'education'
        and {{ councils_to_rebuild() }}

),

plans as (

    select
        *,
        case when is_transfer_from_statement then statement_date else plan_issued_date end as in_force_from

    from {{ ref('stg_education__ehc_plans') }}
    where {{ councils_to_rebuild() }}

),

reviews as (

    select * from {{ ref('stg_education__ehc_plan_reviews') }}
    where {{ councils_to_rebuild() }}

),

plans_in_force as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(distinct plans.pupil_key) as numerator

    from quarters
    left join plans
        on plans.la_code = quarters.la_code
        and plans.in_force_from <= quarters.period_end
        and (plans.ceased_date is null or plans.ceased_date > quarters.period_end)
    group by 1, 2, 3

),

statements_to_transfer as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(plans.plan_id) as numerator

    from quarters
    left join plans
        on plans.la_code = quarters.la_code
        and plans.is_transfer_from_statement
        and plans.statement_date <= quarters.period_end
        and (plans.plan_issued_date is null or plans.plan_issued_date > quarters.period_end)
        and (plans.ceased_date is null or plans.ceased_date > quarters.period_end)
    group by 1, 2, 3

),

reviews_due as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(reviews.plan_id) filter (
            where reviews.review_meeting_date <= reviews.review_due_date
                and reviews.review_decision_date <= reviews.review_meeting_date + 28
        ) as numerator,
        count(reviews.plan_id) as denominator

    from quarters
    left join reviews
        on reviews.la_code = quarters.la_code
        and reviews.review_due_date between quarters.period_start and quarters.period_end
    group by 1, 2, 3

),

reviews_outstanding as (

    select
        quarters.la_code,
        quarters.period_start,
        quarters.period_end,
        count(reviews.plan_id) as numerator

    from quarters
    left join (
        reviews
        inner join plans
            on plans.la_code = reviews.la_code
            and plans.plan_id = reviews.plan_id
    )
        on reviews.la_code = quarters.la_code
        and reviews.review_due_date <= quarters.period_end
        and (reviews.review_decision_date is null or reviews.review_decision_date > quarters.period_end)
        and (plans.ceased_date is null or plans.ceased_date > quarters.period_end)
    group by 1, 2, 3

),

measures as (

    select la_code, 'Ed&S010' as measure_ref, 'snapshot' as period_type, period_start, period_end,
        numerator::numeric as numerator, null::numeric as denominator, numerator::numeric as value
    from plans_in_force
    union all
    select la_code, 'PI10.4', 'snapshot', period_start, period_end, numerator, null, numerator
    from statements_to_transfer
    union all
    select la_code, 'Ed&S014', 'quarter', period_start, period_end, numerator, denominator,
        trim_scale(100.0 * numerator / nullif(denominator, 0))
    from reviews_due
    union all
    select la_code, 'Ed&S015', 'snapshot', period_start, period_end, numerator, null, numerator
    from reviews_outstanding

)

select
    *,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures
