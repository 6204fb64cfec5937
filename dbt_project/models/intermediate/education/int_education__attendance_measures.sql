{{ config(**council_incremental_config()) }}
-- Attendance measures for each academic year to date (1 September to the end of a term): sessions attended as a
-- percentage of possible sessions, and persistent absence, the percentage of pupils who missed 10% or more of
-- their possible sessions. A pupil whose attendance is exactly 90% has missed exactly 10% and is persistently
-- absent (the DfE definition; the printed "less than 90% attendance" is read as this). Missed sessions are
-- authorised plus unauthorised absence.
--   all pupils of the council's schools:   Ed&S004-Ed&S006 attendance (primary, secondary, special),
--                                            PI6.11, PI6.12 persistent absence (primary, secondary)
--   cared for pupils (the Virtual School):  PI5.3, PI5.4 attendance, PI5.1, PI5.2 persistent absence
with

years_to_date as (

    select * from {{ ref('int_academic_years') }}
    where domain = 'education'
        and {{ councils_to_rebuild() }}

),

pupils as (

    select * from {{ ref('int_education__pupil_attendance_to_date') }}
    where {{ councils_to_rebuild() }}

),

per_phase as (

    select
        la_code,
        period_start,
        period_end,
        phase,
        sum(sessions_possible) as sessions_possible,
        sum(sessions_possible - sessions_missed) as sessions_attended,
        count(*) as pupils,
        count(*) filter (where 10 * sessions_missed >= sessions_possible) as pupils_persistently_absent,
        sum(sessions_possible_in_care) as sessions_possible_in_care,
        sum(sessions_possible_in_care - sessions_missed_in_care) as sessions_attended_in_care,
        count(*) filter (where sessions_possible_in_care > 0) as pupils_in_care,
        count(*) filter (
            where sessions_possible_in_care > 0 and 10 * sessions_missed_in_care >= sessions_possible_in_care
        ) as pupils_in_care_persistently_absent

    from pupils
    group by 1, 2, 3, 4

),

phases as (

    select phase from (values ('Primary'), ('Secondary'), ('Special')) as phases (phase)

),

-- every period and phase, with zeros where nobody was counted
counts as (

    select
        years_to_date.la_code,
        years_to_date.period_start,
        years_to_date.period_end,
        phases.phase,
        coalesce(per_phase.sessions_possible, 0) as sessions_possible,
        coalesce(per_phase.sessions_attended, 0) as sessions_attended,
        coalesce(per_phase.pupils, 0) as pupils,
        coalesce(per_phase.pupils_persistently_absent, 0) as pupils_persistently_absent,
        coalesce(per_phase.sessions_possible_in_care, 0) as sessions_possible_in_care,
        coalesce(per_phase.sessions_attended_in_care, 0) as sessions_attended_in_care,
        coalesce(per_phase.pupils_in_care, 0) as pupils_in_care,
        coalesce(per_phase.pupils_in_care_persistently_absent, 0) as pupils_in_care_persistently_absent

    from years_to_date
    cross join phases
    left join per_phase
        on per_phase.la_code = years_to_date.la_code
        and per_phase.period_start = years_to_date.period_start
        and per_phase.period_end = years_to_date.period_end
        and per_phase.phase = phases.phase

),

measures as (

    select la_code, 'Ed&S004' as measure_ref, period_start, period_end,
        sessions_attended as numerator, sessions_possible as denominator
    from counts where phase = 'Primary'
    union all
    select la_code, 'Ed&S005', period_start, period_end, sessions_attended, sessions_possible
    from counts where phase = 'Secondary'
    union all
    select la_code, 'Ed&S006', period_start, period_end, sessions_attended, sessions_possible
    from counts where phase = 'Special'
    union all
    select la_code, 'PI6.11', period_start, period_end, pupils_persistently_absent, pupils
    from counts where phase = 'Primary'
    union all
    select la_code, 'PI6.12', period_start, period_end, pupils_persistently_absent, pupils
    from counts where phase = 'Secondary'
    union all
    select la_code, 'PI5.3', period_start, period_end, sessions_attended_in_care, sessions_possible_in_care
    from counts where phase = 'Primary'
    union all
    select la_code, 'PI5.4', period_start, period_end, sessions_attended_in_care, sessions_possible_in_care
    from counts where phase = 'Secondary'
    union all
    select la_code, 'PI5.1', period_start, period_end, pupils_in_care_persistently_absent, pupils_in_care
    from counts where phase = 'Primary'
    union all
    select la_code, 'PI5.2', period_start, period_end, pupils_in_care_persistently_absent, pupils_in_care
    from counts where phase = 'Secondary'

)

select
    la_code,
    measure_ref,
    'academic_year_to_date' as period_type,
    period_start,
    period_end,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    trim_scale(100.0 * numerator / nullif(denominator, 0)) as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures
