-- grain: one row per version of a victim referral (int_restore__referral_history)
-- Business rules of the referral funnel:
--   * a referral counts as contacted when the team recorded a first contact, or when the
--     victim made a decision (a decision cannot be made without contact);
--   * intervention stages only count after a take-up (which outcomes are decisions and
--     which a take-up: the referral_outcomes seed); the furthest stage is the dated stage
--     of highest rank, and a referral has reached every stage ranked at or below it (the
--     ranks: the referral_stages seed, their one home).

with

referrals as (
    select * from {{ ref('int_restore__referral_history') }}
),

outcomes as (
    select * from {{ ref('stg_reference__referral_outcomes') }}
),

stages as (
    select * from {{ ref('stg_reference__referral_stages') }}
),

stage_ranks as (
    select
        max(case when stage_code = 'restorative_conversation' then stage_rank end)
            as restorative_conversation_rank,
        max(case when stage_code = 'indirect_communication' then stage_rank end)
            as indirect_communication_rank,
        max(case when stage_code = 'direct_conference' then stage_rank end) as direct_conference_rank,
        max(case when stage_code = 'none' then stage_rank end) as none_rank
    from stages
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
        coalesce(outcomes.is_take_up, false) as is_take_up,
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

ranked as (
    select
        flagged.*,
        stage_ranks.restorative_conversation_rank,
        stage_ranks.indirect_communication_rank,
        stage_ranks.direct_conference_rank,
        greatest(
            stage_ranks.none_rank,
            case
                when flagged.has_conversation then stage_ranks.restorative_conversation_rank
                else stage_ranks.none_rank
            end,
            case
                when flagged.has_indirect then stage_ranks.indirect_communication_rank
                else stage_ranks.none_rank
            end,
            case
                when flagged.has_conference then stage_ranks.direct_conference_rank
                else stage_ranks.none_rank
            end
        ) as furthest_stage_rank
    from flagged
    cross join stage_ranks
),

staged as (
    select
        ranked.referral_id,
        ranked.valid_from_date,
        ranked.valid_to_date,
        ranked.referral_date,
        ranked.outcome,
        ranked.is_contacted,
        ranked.is_take_up,
        stages.stage_code as furthest_stage,
        ranked.furthest_stage_rank,
        ranked.furthest_stage_rank >= ranked.restorative_conversation_rank
            as has_reached_restorative_conversation,
        ranked.furthest_stage_rank >= ranked.indirect_communication_rank
            as has_reached_indirect_communication,
        ranked.furthest_stage_rank >= ranked.direct_conference_rank
            as has_reached_direct_conference,
        ranked.closure_date is not null as is_closed,
        {{ dbt.datediff('ranked.referral_date', 'ranked.first_contact_date', 'day') }}
            as days_to_first_contact,
        {{ dbt.datediff('ranked.referral_date', 'ranked.decision_date', 'day') }}
            as days_to_decision,
        {{ dbt.datediff('ranked.referral_date', 'ranked.closure_date', 'day') }}
            as days_to_closure
    from ranked
    left join stages
        on ranked.furthest_stage_rank = stages.stage_rank
)

select * from staged
