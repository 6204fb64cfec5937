-- The red/amber/green rating of each scorecard figure and the reason for it in words, from what
-- int_scorecard_compared says it is compared with. A figure that meets its target is green; one that misses it by no
-- more than the measure's amber tolerance (absolute points, or relative % of the target) is amber; further off, red.
-- A bare target ('85%') is read with the measure's polarity (at least it for high is good, at most it for low is
-- good); '<', '<=', '>', '>=' say the side themselves; a range is green inside, amber within the tolerance of an
-- edge, red beyond. The figure is rated as the reason shows it (one decimal for a percentage, else the measure's
-- decimals), so a reason never reads as met while the rating says not. Rows that cannot be rated get no rating and
-- a reason saying why.
-- Table-driven dbt unit tests (_scorecard__unit_tests.yml) cover polarity x target form x each band boundary.
with

compared as (

    select * from {{ ref('int_scorecard_compared') }}

),

requirements as (

    select
        compared.*,
        case
            when compare_comparator in ('gt', 'ge') then 'at_least'
            when compare_comparator in ('lt', 'le') then 'at_most'
            when compare_comparator = 'range' then 'within'
            when compare_comparator = 'point' and effective_polarity = 'high' then 'at_least'
            when compare_comparator = 'point' and effective_polarity = 'low' then 'at_most'
        end as requirement,
        coalesce(compare_comparator in ('gt', 'lt'), false) as strict_comparison,
        round(compare_value, case when value_unit = 'percent' then 1 else coalesce(decimals, 0) end) as rated_value,
        case when value_unit = 'percent' then '%' else '' end as unit_suffix,
        case
            when value_unit = 'percent' or decimals = 1 then 'FM999,999,999,990.0'
            when coalesce(decimals, 0) = 0 then 'FM999,999,999,990'
            else 'FM999,999,999,990.00'
        end as number_format

    from compared

),

shortfalls as (

    select
        requirements.*,
        -- how far the figure is on the wrong side of the target (zero or less: on the right side)
        case requirement
            when 'at_least' then compare_lower - rated_value
            when 'at_most' then rated_value - compare_upper
            when 'within' then greatest(compare_lower - rated_value, rated_value - compare_upper)
        end as shortfall,
        case requirement
            when 'at_least' then compare_lower
            when 'at_most' then compare_upper
            when 'within' then case when rated_value < compare_lower then compare_lower else compare_upper end
        end as nearest_bound

    from requirements

),

tolerances as (

    select
        shortfalls.*,
        case tolerance_type
            when 'relative' then abs(nearest_bound) * coalesce(amber_tolerance, 0) / 100.0
            else coalesce(amber_tolerance, 0)
        end as tolerance

    from shortfalls

),

blocked as (

    select
        tolerances.*,
        case
            when not rated then 'Not rated: an activity or population measure, not a performance measure.'
            when value is null and value_status = 'target_text' then
                'No figure for this period: the cell holds a target (' || value_text || '), not a figure.'
            when value is null and band_lower is null then
                'No figure for this period (' || replace(coalesce(value_status, 'missing'), '_', ' ') || ').'
            when value_unit <> case when unit = 'percent' then 'percent' else 'number' end then
                'Not rated: the figure is ' || case value_unit when 'percent' then 'a percentage' else 'a number' end
                || ' but the measure is now ' || case when unit = 'percent' then 'a percentage' else 'a number' end
                || case when definition_changed then ' (the definition changed)' else '' end
                || ', so its target and tolerance do not apply.'
            when rating_basis is null then
                'No target for ' || {{ financial_year_label('financial_year') }}
                || case fallback_compare_with
                    when 'neighbour_average' then ' and no statistical-neighbour average to compare with'
                    when 'england_value' then ' and no England value to compare with'
                    else '' end || '.'
            when rating_basis = 'target' and target_unit is not null and target_unit <> value_unit then
                'Not rated: the target ' || target_text || ' is '
                || case target_unit when 'percent' then 'a percentage' else 'a number' end
                || ' but the figure is ' || case value_unit when 'percent' then 'a percentage' else 'a number' end
                || case when definition_changed then ' (the definition changed)' else '' end || '.'
            when rating_basis = 'target' and target_due_date is not null and period_end < target_due_date then
                'Not rated yet: the target ' || target_text || ' is due by '
                || to_char(target_due_date, 'FMDD FMMonth YYYY') || '.'
            when requirement is null then 'Not rated: the target has no direction (the measure has no polarity).'
            when value is null then
                case when requirement = 'within' and band_lower >= compare_lower and band_upper <= compare_upper
                    then null
                    else 'Not rated: reported as the band ' || value_text || ', not a single figure.' end
            when compare_value is null then 'Not rated: ' || coalesce(compare_obstacle, 'nothing to compare') || '.'
        end as blocked_reason

    from tolerances

),

rated as (

    select
        blocked.*,
        case
            when blocked_reason is not null then null
            when value is null then 'green'  -- a reported band inside the target range
            when strict_comparison and shortfall < 0 then 'green'
            when not strict_comparison and shortfall <= 0 then 'green'
            when shortfall <= tolerance then 'amber'
            else 'red'
        end as rag

    from blocked

),

phrased as (

    select
        rated.*,
        case
            when per_period_movement and rating_basis = 'target' then
                case
                    when value = previous_value then 'no change'
                    when value < previous_value then 'a reduction of '
                        || to_char(previous_value - value, number_format) || unit_suffix
                    else 'an increase of ' || to_char(value - previous_value, number_format) || unit_suffix
                end || ' since the previous period'
            when rating_basis = 'target' and applied_target_basis = 'cumulative'
                and period_type in ('quarter', 'month', 'year_to_date') then
                to_char(rated_value, number_format) || unit_suffix || ' in the year to date'
            else to_char(rated_value, number_format) || unit_suffix
        end as value_phrase,
        case rating_basis
            when 'target' then
                case
                    when target_factor is null or target_factor = 1 then
                        case when compare_comparator = 'range' then 'a target range of ' else 'a target of ' end
                        || target_text
                    when applied_target_basis = 'cumulative' then
                        'a pro-rated target of ' || to_char(coalesce(compare_lower, compare_upper), number_format)
                        || unit_suffix || ' (' || target_text
                        || case when target_basis = 'cumulative' then '' else ' for the year' end
                        || ', ' || months_elapsed || ' of 12 months)'
                    else
                        'a target of ' || to_char(coalesce(compare_lower, compare_upper), number_format)
                        || unit_suffix || ' for this period (' || target_text || ')'
                end
            when 'neighbour_average' then 'the statistical-neighbour average of '
                || to_char(compare_lower, number_format) || unit_suffix
            when 'england_value' then 'the England value of '
                || to_char(compare_lower, number_format) || unit_suffix
        end as target_phrase,
        '(' || polarity || ' is good'
            || case when rating_basis in ('neighbour_average', 'england_value')
                then '; no target for ' || {{ financial_year_label('financial_year') }} else '' end
            || ')' as polarity_phrase,
        to_char(abs(shortfall), number_format)
            || case
                when value_unit <> 'percent' then ''
                when round(abs(shortfall), 1) = 1 then ' point'
                else ' points'
            end as gap_amount,
        case
            when tolerance_type = 'relative' then 'the ' || rtrim(to_char(amber_tolerance, 'FM999990.99'), '.')
                || '% amber band (' || rtrim(to_char(tolerance, 'FM999,999,990.99'), '.') || ')'
            when value_unit = 'percent' then 'the ' || to_char(tolerance, 'FM999990.0') || '-point amber band'
            else 'the amber band of ' || rtrim(to_char(tolerance, 'FM999,999,990.99'), '.')
        end as band_phrase

    from rated

)

select
    phrased.*,
    case
        when blocked_reason is not null then blocked_reason
        when value is null then
            'Reported as the band ' || value_text || ', inside a target range of ' || target_text
            || ' (' || polarity || ' is good).'
        else
            value_phrase || ' against ' || target_phrase || ' ' || polarity_phrase || ': '
            || case
                when rag = 'green' and requirement = 'within' then 'inside the range'
                when rag = 'green' and shortfall = 0 then 'exactly on '
                    || case when rating_basis = 'target' then 'target' else 'the average' end
                when rag = 'green' then
                    case when rating_basis = 'target' then 'met by ' else 'better by ' end || gap_amount
                when strict_comparison and shortfall = 0 then
                    'level with a target it must ' || case requirement when 'at_least' then 'exceed' else 'stay under' end
                    || ', inside ' || band_phrase
                else
                    gap_amount || ' '
                    || case
                        when requirement = 'at_least' then 'short'
                        when requirement = 'at_most' then 'over'
                        when rated_value < compare_lower then 'below the range'
                        else 'above the range'
                    end
                    || case when rag = 'amber' then ', inside ' else ', outside ' end || band_phrase
            end || '.'
    end as rag_reason

from phrased
