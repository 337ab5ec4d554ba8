-- grain: one row per delivery date (as_at_date) x referral received in the period of the
-- published figures, in its version valid at that date
-- The one place the published period (int_restore__published_period) is applied to the
-- referrals, so a longer extract still counts the published window. is_as_published marks
-- the state the figures are evaluated on (the latest delivery on or before their
-- publication date), which later deliveries (resolving ongoing cases) never change.

with

published_period as (
    select * from {{ ref('int_restore__published_period') }}
),

referral_stages as (
    select * from {{ ref('int_restore__referral_stages') }}
),

delivery_dates as (
    select * from {{ ref('int_calendar__delivery_dates') }}
),

in_period as (
    select
        published_period.period_start_date,
        delivery_dates.delivery_date as as_at_date,
        delivery_dates.delivery_date = published_period.as_at_date as is_as_published,
        delivery_dates.is_latest,
        referral_stages.referral_id,
        referral_stages.referral_date,
        referral_stages.outcome,
        referral_stages.furthest_stage,
        -- every column the measures of the rj_referrals semantic model read, so that the
        -- counts of int_restore__published_period_counts are their metrics' formulas
        referral_stages.is_contacted,
        referral_stages.is_take_up,
        referral_stages.has_reached_restorative_conversation,
        referral_stages.has_reached_indirect_communication,
        referral_stages.has_reached_direct_conference
    from referral_stages
    inner join published_period
        on
            referral_stages.referral_date
            between published_period.period_start_date and published_period.period_end_date
    inner join delivery_dates
        on {{ is_valid_at('referral_stages', 'delivery_dates.delivery_date') }}
)

select * from in_period
