{{ config(materialized='table', indexes=[{'columns': ['calendar_date'], 'unique': True}]) }}
-- One row per day of the years the bank-holiday seed covers, with whether it is a working day (Monday to Friday and
-- not an England bank holiday) and a running count of working days, so that the working days after one date up to
-- and including another are working_day_number(end) - working_day_number(start), as the working_days_between
-- macro counts them. For joins over many rows; a single difference is simpler with the macro.
with

holidays as (

    select * from {{ ref('england_bank_holidays') }}

),

days as (

    select span.day::date as calendar_date

    from generate_series(
        (select date_trunc('year', min(holiday_date)) from holidays),
        (select date_trunc('year', max(holiday_date)) + interval '1 year' - interval '1 day' from holidays),
        interval '1 day'
    ) as span (day)

),

flagged as (

    select
        days.calendar_date,
        extract(isodow from days.calendar_date) >= 6 as is_weekend,
        holidays.holiday_date is not null as is_bank_holiday,
        holidays.holiday_name

    from days
    left join holidays
        on holidays.holiday_date = days.calendar_date

)

select
    calendar_date,
    is_weekend,
    is_bank_holiday,
    holiday_name,
    not is_weekend and not is_bank_holiday as is_working_day,
    count(*) filter (where not is_weekend and not is_bank_holiday) over (order by calendar_date) as working_day_number

from flagged
