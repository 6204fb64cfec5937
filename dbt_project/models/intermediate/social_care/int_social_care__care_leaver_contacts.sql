-- What the council knew about each care leaver around each birthday from the 17th to the 21st (SSDA903 OC3), one row
-- per young person and birthday: the birthday's date (in the collection year, the financial year the file is for;
-- a 29 February birthday falls on 1 March in other years), the age reached, whether the council was in touch, the
-- activity (G4-G6 not in education, employment or training) and the accommodation (a type letter with 1 suitable
-- or 2 unsuitable; 0 when not in touch).
with

contacts as (

    select * from {{ ref('stg_ssda903__care_leavers') }}

),

dated as (

    select
        *,
        case when extract(month from birth_date) >= 4 then collection_year else collection_year + 1 end
            as birthday_year

    from contacts

)

select
    la_code,
    child_key,
    birth_date,
    collection_year,
    (make_date(birthday_year, extract(month from birth_date)::int, 1)
        + (extract(day from birth_date)::int - 1))::date as birthday_date,
    birthday_year - extract(year from birth_date)::int as age,
    in_touch,
    activity,
    accommodation,
    activity in ('G4', 'G5', 'G6') as is_neet,
    accommodation <> '0' as has_accommodation_recorded,
    accommodation like '_1' as is_suitably_accommodated

from dated
