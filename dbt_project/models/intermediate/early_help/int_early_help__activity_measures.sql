{{ config(**council_incremental_config()) }}
-- Early help activity by financial quarter (counts):
--   PI7.1    cases passed to the Early Help Brokerage: front-door contacts whose outcome is EARLY_HELP, by contact
--            date (the contacts come with the social care extracts, so the quarters are those of its window, and
--            only when the council delivered a contacts extract)
--   P&EH006  families whose Family Focus (Troubled Families) outcomes were claimed in the quarter
--   P&EH007  young people (distinct person) with a youth support service contact in the quarter
with

early_help_quarters as (

    select * from {{ ref('int_financial_quarters') }}
    where domain = 'early_help'
        and {{ councils_to_rebuild() }}

),

contacts as (

    select * from {{ ref('stg_early_help__front_door_contacts') }}
    where {{ councils_to_rebuild() }}

),

-- the social care delivery may come without a contacts extract: then PI7.1 is not published (rather than 0)
social_care_quarters as (

    select * from {{ ref('int_financial_quarters') }} as quarters
    where quarters.domain = 'social_care'
        and exists (select 1 from contacts where contacts.la_code = quarters.la_code)
        and {{ councils_to_rebuild('quarters.la_code') }}

),

claims as (

    select * from {{ ref('stg_early_help__family_focus_claims') }}
    where {{ councils_to_rebuild() }}

),

youth_contacts as (

    select * from {{ ref('stg_early_help__youth_service_contacts') }}
    where {{ councils_to_rebuild() }}

),

brokerage as (

    select
        social_care_quarters.la_code,
        social_care_quarters.period_start,
        social_care_quarters.period_end,
        count(contacts.contact_id) as numerator

    from social_care_quarters
    left join contacts
        on contacts.la_code = social_care_quarters.la_code
        and contacts.contact_outcome = 'EARLY_HELP'
        and contacts.contact_date between social_care_quarters.period_start and social_care_quarters.period_end
    group by 1, 2, 3

),

families_claimed as (

    select
        early_help_quarters.la_code,
        early_help_quarters.period_start,
        early_help_quarters.period_end,
        count(distinct claims.family_key) as numerator

    from early_help_quarters
    left join claims
        on claims.la_code = early_help_quarters.la_code
        and claims.claim_date between early_help_quarters.period_start and early_help_quarters.period_end
    group by 1, 2, 3

),

young_people as (

    select
        early_help_quarters.la_code,
        early_help_quarters.period_start,
        early_help_quarters.period_end,
        count(distinct youth_contacts.young_person_key) as numerator

    from early_help_quarters
    left join youth_contacts
        on youth_contacts.la_code = early_help_quarters.la_code
        and youth_contacts.contact_date between early_help_quarters.period_start and early_help_quarters.period_end
    group by 1, 2, 3

),

measures as (

    select la_code, 'PI7.1' as measure_ref, period_start, period_end, numerator from brokerage
    union all
    select la_code, 'P&EH006', period_start, period_end, numerator from families_claimed
    union all
    select la_code, 'P&EH007', period_start, period_end, numerator from young_people

)

select
    la_code,
    measure_ref,
    'quarter' as period_type,
    period_start,
    period_end,
    numerator::numeric as numerator,
    null::numeric as denominator,
    numerator::numeric as value,
    {{ council_inputs_watermark() }} as _inputs_watermark

from measures
