{{ config(**council_incremental_config()) }}
-- Sessions possible and missed per pupil and school phase in each academic year to date (1 September to the end of
-- a term, int_academic_years), over the census rows of the terms that ended by then; once over all the pupil's rows
-- and once over the rows on whose census day the pupil was looked after (the Virtual School's cohort). A pupil who
-- moved between phases counts once in each (an enrolment, as in the DfE's absence statistics). Rows without session
-- counts (nursery and sixth form) or with no possible sessions are left out.
with

years_to_date as (

    select * from {{ ref('int_academic_years') }}
    -- calendars are small: filtered by council they only mislead the planner (census below is what is filtered)
    where domain = 'education'

),

terms as (

    select * from {{ ref('int_school_term_dates') }}
    where period_type = 'term'

),

census as (

    select * from {{ ref('stg_education__school_census_pupils') }}
    where sessions_possible > 0
        and {{ councils_to_rebuild() }}

),

schools as (

    select * from {{ ref('stg_education__schools') }}
    where {{ councils_to_rebuild() }}

),

-- materialized: worked out once over the census, so the planner cannot misjudge the small calendar joins into a
-- nested loop over every census row
census_terms as materialized (

    select
        census.la_code,
        census.pupil_key,
        census.is_in_care,
        census.sessions_possible,
        census.sessions_authorised_absence + census.sessions_unauthorised_absence as sessions_missed,
        schools.phase,
        terms.academic_year,
        terms.period_end as term_end

    from census
    inner join terms
        on terms.la_code = census.la_code
        and terms.term_code = census.census_term
        and terms.academic_year = case when census.census_term = 'AUT' then census.census_year
            else census.census_year - 1 end
    inner join schools
        on schools.la_code = census.la_code
        and schools.urn = census.urn

)

select
    years_to_date.la_code,
    years_to_date.period_start,
    years_to_date.period_end,
    census_terms.phase,
    census_terms.pupil_key,
    sum(census_terms.sessions_possible) as sessions_possible,
    sum(census_terms.sessions_missed) as sessions_missed,
    coalesce(sum(census_terms.sessions_possible) filter (where census_terms.is_in_care), 0)
        as sessions_possible_in_care,
    coalesce(sum(census_terms.sessions_missed) filter (where census_terms.is_in_care), 0) as sessions_missed_in_care,
    {{ council_inputs_watermark('years_to_date.la_code') }} as _inputs_watermark

from years_to_date
inner join census_terms
    on census_terms.la_code = years_to_date.la_code
    and census_terms.academic_year = years_to_date.academic_year
    and census_terms.term_end <= years_to_date.period_end
group by 1, 2, 3, 4, 5
