-- The council's population aged 0-17 for each financial year of the reporting window: the mid-year estimate of the
-- year the financial year starts in (mid-2016 for 2016-17), else the latest earlier estimate delivered.
with

population as (

    select
        la_code,
        estimate_year,
        sum(population) as population

    from {{ ref('stg_social_care_local__child_population') }}
    where age between 0 and 17
    group by 1, 2

),

years as (

    select distinct la_code, financial_year from {{ ref('int_social_care__reporting_periods') }}

),

-- each year's estimates up to it, latest first (a join, not a lookup per year: that re-aggregated the estimates once
-- per council and year)
estimates_by_recency as (

    select
        years.la_code,
        years.financial_year,
        population.estimate_year,
        population.population,
        row_number() over (
            partition by years.la_code, years.financial_year
            order by population.estimate_year desc
        ) as recency

    from years
    inner join population
        on population.la_code = years.la_code
        and population.estimate_year <= years.financial_year

)

select
    la_code,
    financial_year,
    estimate_year,
    population

from estimates_by_recency
where recency = 1
