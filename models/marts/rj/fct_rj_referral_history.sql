-- grain: one row per version of a victim referral: its state from valid_from_date (the
-- delivery that sent it) until valid_to_date (the next delivery that changed it; null for
-- the current version). As at a date D, a referral reads the version with
-- valid_from_date <= D < valid_to_date. (SYNTHETIC row-level data.)

with

referrals as (
    select * from {{ ref('int_restore__referral_history') }}
),

stages as (
    select * from {{ ref('int_restore__referral_stages') }}
),

calendar as (
    select * from {{ ref('int_calendar__days') }}
),

joined as (
    select
        referrals.referral_id,
        referrals.valid_from_date,
        referrals.valid_to_date,
        referrals.valid_to_date is null as is_current,
        referrals.referral_date,
        calendar.month_start_date as referral_month_date,
        calendar.financial_year as referral_financial_year,
        referrals.borough_code,
        referrals.offence_group_code,
        referrals.referral_source_code,
        referrals.outcome,
        stages.furthest_stage,
        stages.furthest_stage_rank,
        stages.is_contacted,
        stages.is_take_up,
        stages.has_reached_restorative_conversation,
        stages.has_reached_indirect_communication,
        stages.has_reached_direct_conference,
        stages.furthest_stage = 'direct_conference' as is_direct_conference,
        stages.is_closed,
        referrals.offender_pseudo_id is not null as has_known_offender,
        referrals.first_contact_date,
        referrals.decision_date,
        referrals.conversation_date,
        referrals.indirect_communication_date,
        referrals.conference_date,
        referrals.closure_date,
        referrals.closure_reason,
        stages.days_to_first_contact,
        stages.days_to_decision,
        stages.days_to_closure
    from referrals
    inner join stages
        on
            referrals.referral_id = stages.referral_id
            and referrals.valid_from_date = stages.valid_from_date
    left join calendar
        on referrals.referral_date = calendar.calendar_date
)

select * from joined
