-- grain: one row per referral received in the period of the published figures, in its
-- version as at the publication date
-- The one place the published period (int_restore__published_period) is applied to the
-- referrals, so a longer extract still counts the published window, and later deliveries
-- (which resolve ongoing cases) do not change what was published.

with

published_period as (
    select * from {{ ref('int_restore__published_period') }}
),

referral_stages as (
    select * from {{ ref('int_restore__referral_stages') }}
),

in_period as (
    select
        published_period.period_start_date,
        referral_stages.referral_id,
        referral_stages.referral_date,
        referral_stages.outcome,
        referral_stages.is_took_up,
        referral_stages.furthest_stage
    from referral_stages
    inner join published_period
        on
            referral_stages.referral_date
            between published_period.period_start_date and published_period.period_end_date
            and {{ is_valid_at('referral_stages', 'published_period.as_at_date') }}
)

select * from in_period
