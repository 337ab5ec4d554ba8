-- grain: one row per version of a victim referral (int_restore__referral_history)
-- Business rules of the referral funnel:
--   * a referral counts as contacted when the team recorded a first contact, or when the
--     victim made a decision (a decision cannot be made without contact);
--   * intervention stages only count after a take-up (which outcomes are decisions and
--     which a take-up: the referral_outcomes seed); the furthest stage is ranked
--     none < restorative_conversation < indirect_communication < direct_conference.

with

referrals as (
    select * from {{ ref('int_restore__referral_history') }}
),

outcomes as (
    select * from {{ ref('stg_reference__referral_outcomes') }}
),

flagged as (
    select
        referrals.referral_id,
        referrals.valid_from_date,
        referrals.valid_to_date,
        referrals.outcome,
        referrals.referral_date,
        referrals.first_contact_date,
        referrals.decision_date,
        referrals.closure_date,
        coalesce(outcomes.is_take_up, false) as is_took_up,
        (
            referrals.first_contact_date is not null
            or coalesce(outcomes.is_decided, false)
        ) as is_contacted,
        coalesce(outcomes.is_take_up, false) and referrals.conversation_date is not null
            as has_conversation,
        coalesce(outcomes.is_take_up, false) and referrals.indirect_communication_date is not null
            as has_indirect,
        coalesce(outcomes.is_take_up, false) and referrals.conference_date is not null
            as has_conference
    from referrals
    left join outcomes
        on referrals.outcome = outcomes.outcome
),

staged as (
    select
        referral_id,
        valid_from_date,
        valid_to_date,
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
        {{ dbt.datediff('referral_date', 'decision_date', 'day') }}
            as days_to_decision,
        {{ dbt.datediff('referral_date', 'closure_date', 'day') }}
            as days_to_closure
    from flagged
)

select * from staged
