-- grain: one row: the referral period of the published Restore:London figures
-- The one place the published-period referral counts and rates are computed. The period is
-- the register's own (figure rj_referrals_total: referrals April 2017 to January 2019), so
-- a longer extract still counts the published window. Rates are percentages rounded to 4
-- places; their denominators are in their names (of referrals, of take-ups). The count of
-- each outcome is int_restore__published_period_outcomes.

with

figures as (
    select * from {{ ref('stg_reference__published_figures') }}
),

referral_stages as (
    select * from {{ ref('int_restore__referral_stages') }}
),

published_period as (
    select
        period_start_date,
        period_end_date
    from figures
    where figure_id = 'rj_referrals_total'
),

counts as (
    select
        published_period.period_start_date,
        published_period.period_end_date,
        count(referral_stages.referral_id) as referrals,
        {{ count_where("referral_stages.is_took_up") }} as took_up,
        {{ count_where("referral_stages.furthest_stage = 'direct_conference'") }}
            as direct_conferences
    from published_period
    left join referral_stages
        on
            referral_stages.referral_date
            between published_period.period_start_date and published_period.period_end_date
    group by
        published_period.period_start_date,
        published_period.period_end_date
),

rates as (
    select
        period_start_date,
        period_end_date,
        cast(referrals as {{ dbt.type_bigint() }}) as referrals,
        took_up,
        direct_conferences,
        cast(round(100.0 * took_up / nullif(referrals, 0), 4) as decimal(20, 4))
            as take_up_rate_pct,
        cast(round(100.0 * direct_conferences / nullif(referrals, 0), 4) as decimal(20, 4))
            as conference_rate_pct,
        cast(round(100.0 * direct_conferences / nullif(took_up, 0), 4) as decimal(20, 4))
            as conference_share_of_take_ups_pct
    from counts
)

select * from rates
