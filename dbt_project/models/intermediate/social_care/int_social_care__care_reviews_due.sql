{{ config(**council_incremental_config()) }}
-- Every statutory review of a looked-after child that fell due, one row per period of care and due date, with the
-- review that met it (if any) and whether it was in timescale. Reviews are matched to the period of care they fall
-- in. The first review is due within 20 working days of the period starting (counted as for assessments: on the
-- 20th working day is in time), the second within 3 months of the first, then every 6 months after the one before
-- (calendar months; on the due date is in time), so a late review moves the next due date. After a period's last
-- review (or its start, when it has none) one more review falls due if the child is still looked after on that
-- date; it was missed, because the extract holds every review up to the extract date.
with

periods as (

    select * from {{ ref('int_social_care__care_periods') }}
    where {{ councils_to_rebuild() }}

),

reviews as (

    select distinct la_code, child_key, review_date
    from {{ ref('stg_ssda903__reviews') }}
    where {{ councils_to_rebuild() }}

),

bank_holidays as (

    select * from {{ ref('england_bank_holidays') }}

),

first_due as (

    -- the 20th working day after the period started
    select
        periods.*,
        (
            select span.day::date
            from generate_series(periods.period_start_date + 1, periods.period_start_date + 60, interval '1 day')
                as span (day)
            where extract(isodow from span.day) < 6
                and not exists (select 1 from bank_holidays where bank_holidays.holiday_date = span.day::date)
            order by span.day
            offset 19 limit 1
        ) as first_review_due_date

    from periods

),

held as (

    select
        first_due.la_code,
        first_due.child_key,
        first_due.period_number,
        first_due.period_start_date,
        first_due.period_end_date,
        first_due.first_review_due_date,
        reviews.review_date,
        lag(reviews.review_date) over period_reviews as previous_review_date,
        row_number() over period_reviews as review_number

    from first_due
    inner join reviews
        on reviews.la_code = first_due.la_code
        and reviews.child_key = first_due.child_key
        and reviews.review_date >= first_due.period_start_date
        and (first_due.period_end_date is null or reviews.review_date <= first_due.period_end_date)
    window period_reviews as (
        partition by first_due.la_code, first_due.child_key, first_due.period_number order by reviews.review_date
    )

),

held_due as (

    select
        la_code,
        child_key,
        period_number,
        period_start_date,
        period_end_date,
        review_number,
        case review_number
            when 1 then first_review_due_date
            when 2 then (previous_review_date + interval '3 months')::date
            else (previous_review_date + interval '6 months')::date
        end as due_date,
        review_date as held_date,
        case
            when review_number = 1
                then {{ working_days_between('period_start_date', 'review_date') }} <= 20
            when review_number = 2 then review_date <= (previous_review_date + interval '3 months')::date
            else review_date <= (previous_review_date + interval '6 months')::date
        end as is_in_timescale

    from held

),

last_reviews as (

    select
        la_code,
        child_key,
        period_number,
        max(review_number) as review_count,
        max(held_date) as last_review_date

    from held_due
    group by 1, 2, 3

),

next_due as (

    select
        first_due.la_code,
        first_due.child_key,
        first_due.period_number,
        first_due.period_start_date,
        first_due.period_end_date,
        coalesce(last_reviews.review_count, 0) + 1 as review_number,
        case coalesce(last_reviews.review_count, 0)
            when 0 then first_due.first_review_due_date
            when 1 then (last_reviews.last_review_date + interval '3 months')::date
            else (last_reviews.last_review_date + interval '6 months')::date
        end as due_date,
        null::date as held_date,
        false as is_in_timescale

    from first_due
    left join last_reviews
        on last_reviews.la_code = first_due.la_code
        and last_reviews.child_key = first_due.child_key
        and last_reviews.period_number = first_due.period_number

),

reviews_due as (

    select * from held_due
    union all
    select * from next_due
    where period_end_date is null or period_end_date > due_date

)

select
    *,
    {{ council_inputs_watermark() }} as _inputs_watermark

from reviews_due
