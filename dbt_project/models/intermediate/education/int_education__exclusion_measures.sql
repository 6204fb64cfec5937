{{ config(**council_incremental_config()) }}
-- Exclusions from the council's schools starting in each half term of its school calendar (a count of exclusions,
-- not of pupils; each is counted in the half term of its start date, by the phase of the excluding school):
--   PI6.5, PI6.6  suspensions (fixed-period exclusions, category FIXD) from primary and secondary schools; lunchtime
--                 exclusions (LNCH) are counted apart by the DfE and are left out
--   Ed&S007       permanent exclusions (PERM) from primary and secondary schools together
with

half_terms as (

    select * from {{ ref('int_school_terms') }}
    where domain = 'education'
        and period_type = 'half_term'
        and {{ councils_to_rebuild() }}

),

exclusions as (

    select * from {{ ref('stg_education__school_census_exclusions') }}
    where {{ councils_to_rebuild() }}

),

schools as (

    select * from {{ ref('stg_education__schools') }}
    where {{ councils_to_rebuild() }}

),

counts as (

    select
        half_terms.la_code,
        half_terms.period_start,
        half_terms.period_end,
        count(exclusions.pupil_key) filter (
            where exclusions.exclusion_category = 'FIXD' and schools.phase = 'Primary'
        ) as primary_suspensions,
        count(exclusions.pupil_key) filter (
            where exclusions.exclusion_category = 'FIXD' and schools.phase = 'Secondary'
        ) as secondary_suspensions,
        count(exclusions.pupil_key) filter (
            where exclusions.exclusion_category = 'PERM' and schools.phase in ('Primary', 'Secondary')
        ) as permanent_exclusions

    from half_terms
    left join exclusions
        on exclusions.la_code = half_terms.la_code
        and exclusions.start_date between half_terms.period_start and half_terms.period_end
    left join schools
        on schools.la_code = exclusions.la_code
        and schools.urn = exclusions.urn
    group by 1, 2, 3

),

measures as (

    select la_code, 'PI6.5' as measure_ref, period_start, period_end, primary_suspensions as numerator
    from counts
    union all
    select la_code, 'PI6.6', period_start, period_end, secondary_suspensions
    from counts
    union all
    select la_code, 'Ed&S007', period_start, period_end, permanent_exclusions
    from counts

)

select
    la_code,
    measure_ref,
    'half_term' as period_type,
    period_start,
    period_end,
    numerator::numeric as numerator,
    null::numeric as denominator,
    numerator::numeric as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures
