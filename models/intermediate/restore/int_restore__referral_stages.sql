-- grain: one row per victim referral
-- Business rules of the referral funnel:
--   * a referral counts as contacted when the team recorded a first contact, or when the
--     victim made a decision (a decision cannot be made without contact);
--   * intervention stages only count after a take-up; the furthest stage is ranked
--     none < restorative_conversation < indirect_communication < direct_conference.

with

referrals as (
    select * from {{ ref('stg_restore__referrals') }}
),

flagged as (
    select
        referral_id,
        outcome,
        referral_date,
        first_contact_date,
        decision_date,
        closure_date,
        outcome = 'took_up' as is_took_up,
        (
            first_contact_date is not null
            or outcome in ('took_up', 'declined')
        ) as is_contacted,
        outcome = 'took_up' and conversation_date is not null as has_conversation,
        outcome = 'took_up' and indirect_communication_date is not null as has_indirect,
        outcome = 'took_up' and conference_date is not null as has_conference
    from referrals
),

staged as (
    select
        referral_id,
        referral_date,
        outcome,
        is_contacted,
        is_took_up,
        case
            when has_conference then 'direct_conference'
            when has_indirect then 'indirect_communication'
            when has_conversation then 'restorative_conversation'
            else 'none'
        end as furthest_stage,
        case
            when has_conference then 3
            when has_indirect then 2
            when has_conversation then 1
            else 0
        end as furthest_stage_rank,
        closure_date is not null as is_closed,
        {{ dbt.datediff('referral_date', 'first_contact_date', 'day') }}
            as days_to_first_contact,
        {{ dbt.datediff('referral_date', 'closure_date', 'day') }}
            as days_to_closure
    from flagged
)

select * from staged
