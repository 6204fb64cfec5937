-- Each council's school calendar as periods: one row per half term (from school_term_dates) and per term (its two
-- half terms, first day of the first to last day of the second), with the term's code and academic year, so measure
-- models can join a term code ("AUT" of "2018/19") to its dates. Not limited to any reporting window.
with

half_terms as (

    select * from {{ ref('stg_education__school_term_dates') }}

),

coded as (

    select
        la_code,
        left(academic_year_label, 4)::int as academic_year,
        academic_year_label,
        term_code,
        case term_code when 'AUT' then 1 when 'SPR' then 2 when 'SUM' then 3 end as term_number,
        case term_code when 'AUT' then 'Autumn' when 'SPR' then 'Spring' when 'SUM' then 'Summer' end as term_name,
        half_term_number,
        half_term_start_date,
        half_term_end_date,
        census_date

    from half_terms

),

half_term_periods as (

    select
        la_code,
        'half_term' as period_type,
        half_term_start_date as period_start,
        half_term_end_date as period_end,
        academic_year,
        academic_year_label,
        term_code,
        term_number,
        term_name,
        half_term_number,
        census_date,
        academic_year_label || ' ' || term_name || ' ' || half_term_number as period_label

    from coded

),

term_periods as (

    select
        la_code,
        'term' as period_type,
        min(half_term_start_date) as period_start,
        max(half_term_end_date) as period_end,
        academic_year,
        academic_year_label,
        term_code,
        term_number,
        term_name,
        null::bigint as half_term_number,
        min(census_date) as census_date,
        academic_year_label || ' ' || term_name || ' term' as period_label

    from coded
    group by la_code, academic_year, academic_year_label, term_code, term_number, term_name

)

select * from half_term_periods
union all
select * from term_periods
