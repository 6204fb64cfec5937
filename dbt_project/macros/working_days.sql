{#
  Working days between two dates, counted the way statutory timescales are (the DfE's assessment and conference
  timeliness, the 20 working days of an initial health assessment): the start day is day 0 and every working day
  after it up to and including the end day adds one. A working day is Monday to Friday and not an England bank
  holiday (seed england_bank_holidays, 2010-2030; outside those years only weekends are excluded). So an assessment
  completed on the 20th working day after the child entered care gives 20, and is in time for a "within 20 working
  days" rule (<= 20). Negative when the end is before the start; null when either date is null.

  Works on any row (a correlated count over the days between); int_working_days holds the same count as a running
  number for set-based joins.
#}
{% macro working_days_between(start_date, end_date) -%}
    (case
        when ({{ start_date }}) is null or ({{ end_date }}) is null then null
        else (
            select
                case when ({{ end_date }})::date >= ({{ start_date }})::date then count(*) else -count(*) end
            from generate_series(
                least(({{ start_date }})::date, ({{ end_date }})::date) + 1,
                greatest(({{ start_date }})::date, ({{ end_date }})::date),
                interval '1 day'
            ) as working_span (day)
            where extract(isodow from working_span.day) < 6
                and not exists (
                    select 1
                    from {{ ref('england_bank_holidays') }} as bank_holidays
                    where bank_holidays.holiday_date = working_span.day::date
                )
        )
    end)
{%- endmacro %}
