-- grain: one row per referral outcome (every outcome of the vocabulary, zero when none)
-- Referrals of each outcome in the period of the published Restore:London figures (the
-- register's rj_referrals_total period), with the register figure that counts it
-- (referral_outcomes.published_figure_id).

with

figures as (
    select * from {{ ref('stg_reference__published_figures') }}
),

outcomes as (
    select * from {{ ref('stg_reference__referral_outcomes') }}
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

in_period as (
    select referral_stages.*
    from referral_stages
    inner join published_period
        on
            referral_stages.referral_date
            between published_period.period_start_date and published_period.period_end_date
),

counted as (
    select
        outcomes.outcome,
        outcomes.display_order,
        outcomes.published_figure_id,
        cast(count(in_period.referral_id) as {{ dbt.type_bigint() }}) as referrals
    from outcomes
    left join in_period
        on outcomes.outcome = in_period.outcome
    group by
        outcomes.outcome,
        outcomes.display_order,
        outcomes.published_figure_id
)

select * from counted
