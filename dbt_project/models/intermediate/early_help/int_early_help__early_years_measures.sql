{{ config(**council_incremental_config()) }}
-- Take-up of funded early education in each term of the school calendar (the funding terms are the school terms):
--   P&EH004  eligible two-year-olds (offer 2YO) taking up a funded place in the term, as a percentage of the
--            eligible two-year-olds listed for the term
--   P&EH005  three- and four-year-olds (offer 3-4YO) taking up a funded place in the term, as a percentage of the
--            resident three- and four-year-olds listed for the term (printed as a band, 97%-99%)
-- The take-up list is delivered with the education extracts, so the terms are those of the education window.
with

terms as (

    select * from {{ ref('int_school_terms') }}
    where domain = 'education'
        and period_type = 'term'
        and {{ councils_to_rebuild() }}

),

term_codes as (

    select * from {{ ref('int_school_term_dates') }}
    where period_type = 'term'
        and {{ councils_to_rebuild() }}

),

takeup as (

    select * from {{ ref('stg_education__early_years_takeup') }}
    where {{ councils_to_rebuild() }}

),

counts as (

    select
        terms.la_code,
        terms.period_start,
        terms.period_end,
        count(takeup.child_key) filter (where takeup.offer = '2YO' and takeup.is_taking_up) as two_taking_up,
        count(takeup.child_key) filter (where takeup.offer = '2YO') as two_eligible,
        count(takeup.child_key) filter (where takeup.offer = '3-4YO' and takeup.is_taking_up) as three_four_taking_up,
        count(takeup.child_key) filter (where takeup.offer = '3-4YO') as three_four_eligible

    from terms
    inner join term_codes
        on term_codes.la_code = terms.la_code
        and term_codes.period_start = terms.period_start
        and term_codes.period_end = terms.period_end
    left join takeup
        on takeup.la_code = term_codes.la_code
        and takeup.academic_year_label = term_codes.academic_year_label
        and takeup.term_code = term_codes.term_code
    group by 1, 2, 3

),

measures as (

    select la_code, 'P&EH004' as measure_ref, period_start, period_end,
        two_taking_up as numerator, two_eligible as denominator
    from counts
    union all
    select la_code, 'P&EH005', period_start, period_end, three_four_taking_up, three_four_eligible
    from counts

)

select
    la_code,
    measure_ref,
    'term' as period_type,
    period_start,
    period_end,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    trim_scale(100.0 * numerator / nullif(denominator, 0)) as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures
