{{ config(**council_incremental_config()) }}
-- Every child protection review that fell due, one row per plan and due date, with the review that met it (if
-- any) and whether it was held in timescale. The first review conference is due within 3 months of the plan
-- starting and each later one within 6 months of the one before (calendar months; on the due date is in time), so a
-- late review moves the next due date. After a plan's last review (or its start, when it has none) one more review
-- falls due if the plan is still open on that date; it was missed, because the extract holds every review up to
-- the extract date and no review after the last one.
with

plans as (

    select * from {{ ref('stg_cin__protection_plans') }}
    where {{ councils_to_rebuild() }}

),

reviews as (

    select distinct la_code, child_key, cin_details_id, cpp_id, review_date
    from {{ ref('stg_cin__protection_plan_reviews') }}
    where {{ councils_to_rebuild() }}

),

held as (

    select
        plans.la_code,
        plans.child_key,
        plans.cin_details_id,
        plans.cpp_id,
        plans.plan_start_date,
        plans.plan_end_date,
        reviews.review_date,
        lag(reviews.review_date) over (
            partition by plans.la_code, plans.child_key, plans.cin_details_id, plans.cpp_id
            order by reviews.review_date
        ) as previous_review_date,
        row_number() over (
            partition by plans.la_code, plans.child_key, plans.cin_details_id, plans.cpp_id
            order by reviews.review_date
        ) as review_number

    from plans
    inner join reviews
        on reviews.la_code = plans.la_code
        and reviews.child_key = plans.child_key
        and reviews.cin_details_id = plans.cin_details_id
        and reviews.cpp_id = plans.cpp_id

),

held_due as (

    select
        la_code,
        child_key,
        cin_details_id,
        cpp_id,
        plan_start_date,
        plan_end_date,
        review_number,
        case
            when previous_review_date is null then (plan_start_date + interval '3 months')::date
            else (previous_review_date + interval '6 months')::date
        end as due_date,
        review_date as held_date

    from held

),

last_reviews as (

    select
        la_code,
        child_key,
        cin_details_id,
        cpp_id,
        max(review_number) as review_count,
        max(held_date) as last_review_date

    from held_due
    group by 1, 2, 3, 4

),

next_due as (

    select
        plans.la_code,
        plans.child_key,
        plans.cin_details_id,
        plans.cpp_id,
        plans.plan_start_date,
        plans.plan_end_date,
        coalesce(last_reviews.review_count, 0) + 1 as review_number,
        case
            when last_reviews.last_review_date is null then (plans.plan_start_date + interval '3 months')::date
            else (last_reviews.last_review_date + interval '6 months')::date
        end as due_date,
        null::date as held_date

    from plans
    left join last_reviews
        on last_reviews.la_code = plans.la_code
        and last_reviews.child_key = plans.child_key
        and last_reviews.cin_details_id = plans.cin_details_id
        and last_reviews.cpp_id = plans.cpp_id

),

due as (

    select * from held_due
    union all
    select * from next_due
    where plan_end_date is null or plan_end_date > due_date

)

select
    *,
    coalesce(held_date <= due_date, false) as is_in_timescale,
    {{ council_inputs_watermark() }} as _inputs_watermark

from due
