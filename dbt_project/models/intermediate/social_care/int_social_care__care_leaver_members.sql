{{ config(**council_incremental_config()) }}
-- Who makes up the care leaver measures at each period end, one row per council, measure, snapshot, young person and
-- role (contribution 1). A young person's latest OC3 record at a period end is the one for their latest birthday on
-- or before it. See _social_care__measures.md.
--   PI3.1  care leavers the council supports at the period end, aged 16 to 21: looked after at the period end aged
--          16 or 17 with 13 weeks looked after since their 14th birthday (eligible), or left care as a care leaver
--          (int_social_care__care_leavers) on or before it, or in an OC3 record on or before it; less anyone whose
--          latest OC3 record says they died
--   CSC014 aged 19 to 21 whose latest activity is not in education, employment or training (G4-G6) / care leavers
--          aged 19 to 21 with an OC3 record on or before the period end (latest record not 'died')
--   CSC015 aged 17 to 21 whose latest accommodation is suitable / those with accommodation recorded in it
with

snapshots as (

    select * from {{ ref('int_social_care__reporting_periods') }}
    where period_type = 'snapshot'
        and {{ councils_to_rebuild() }}

),

leavers as (

    select * from {{ ref('int_social_care__care_leavers') }}
    where {{ councils_to_rebuild() }}

),

contacts as (

    select * from {{ ref('int_social_care__care_leaver_contacts') }}
    where {{ councils_to_rebuild() }}

),

care_periods as (

    select * from {{ ref('int_social_care__care_periods') }}
    where {{ councils_to_rebuild() }}

),

children as (

    select * from {{ ref('stg_ssda903__children') }}
    where {{ councils_to_rebuild() }}

),

latest_contacts as (

    select
        snapshots.la_code,
        snapshots.period_type,
        snapshots.period_start,
        snapshots.period_end,
        contacts.child_key,
        contacts.birth_date,
        contacts.in_touch,
        contacts.is_neet,
        contacts.has_accommodation_recorded,
        contacts.is_suitably_accommodated,
        row_number() over (
            partition by snapshots.la_code, snapshots.period_end, contacts.child_key
            order by contacts.birthday_date desc
        ) as latest_first

    from snapshots
    inner join contacts
        on contacts.la_code = snapshots.la_code
        and contacts.birthday_date <= snapshots.period_end
        and snapshots.period_end < (contacts.birth_date + interval '22 years')::date

),

known_from_oc3 as (

    select * from latest_contacts
    where latest_first = 1

),

-- looked after at the period end aged 16 or 17 with 91 days or more looked after since the 14th birthday
eligible as (

    select
        snapshots.la_code,
        snapshots.period_type,
        snapshots.period_start,
        snapshots.period_end,
        children.child_key,
        children.birth_date

    from snapshots
    inner join children
        on children.la_code = snapshots.la_code
        and snapshots.period_end >= (children.birth_date + interval '16 years')::date
        and snapshots.period_end < (children.birth_date + interval '18 years')::date
    inner join care_periods
        on care_periods.la_code = children.la_code
        and care_periods.child_key = children.child_key
        and care_periods.period_start_date <= snapshots.period_end
    group by 1, 2, 3, 4, 5, 6
    having
        bool_or(care_periods.period_end_date is null or care_periods.period_end_date > snapshots.period_end)
        and sum(greatest(0,
            least(coalesce(care_periods.period_end_date, snapshots.period_end), snapshots.period_end)
            - greatest(care_periods.period_start_date, (children.birth_date + interval '14 years')::date)
        )) >= 91

),

left_care as (

    select
        snapshots.la_code,
        snapshots.period_type,
        snapshots.period_start,
        snapshots.period_end,
        leavers.child_key

    from snapshots
    inner join leavers
        on leavers.la_code = snapshots.la_code
        and leavers.left_care_date <= snapshots.period_end
        and snapshots.period_end < (leavers.birth_date + interval '22 years')::date

),

supported as (

    select la_code, period_type, period_start, period_end, child_key from eligible
    union
    select la_code, period_type, period_start, period_end, child_key from left_care
    union
    select la_code, period_type, period_start, period_end, child_key from known_from_oc3

),

died as (

    select la_code, period_end, child_key from known_from_oc3
    where in_touch = 'DIED'

),

alive_oc3 as (

    select * from known_from_oc3
    where in_touch <> 'DIED'

),

members as (

    select supported.la_code, 'PI3.1' as measure_ref, supported.period_type, supported.period_start,
        supported.period_end, supported.child_key, 'numerator' as role
    from supported
    left join died
        on died.la_code = supported.la_code
        and died.period_end = supported.period_end
        and died.child_key = supported.child_key
    where died.child_key is null
    union all
    select la_code, 'CSC014', period_type, period_start, period_end, child_key, 'denominator' from alive_oc3
    where period_end >= (birth_date + interval '19 years')::date
    union all
    select la_code, 'CSC014', period_type, period_start, period_end, child_key, 'numerator' from alive_oc3
    where period_end >= (birth_date + interval '19 years')::date and is_neet
    union all
    select la_code, 'CSC015', period_type, period_start, period_end, child_key, 'denominator' from alive_oc3
    where period_end >= (birth_date + interval '17 years')::date and has_accommodation_recorded
    union all
    select la_code, 'CSC015', period_type, period_start, period_end, child_key, 'numerator' from alive_oc3
    where period_end >= (birth_date + interval '17 years')::date and has_accommodation_recorded
        and is_suitably_accommodated

)

select
    la_code,
    measure_ref,
    period_type,
    period_start,
    period_end,
    child_key,
    role,
    1::numeric as contribution,
    {{ council_inputs_watermark() }} as _inputs_watermark

from members
