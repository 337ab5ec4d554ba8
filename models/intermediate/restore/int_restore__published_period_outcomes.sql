-- grain: one row per referral outcome (every outcome of the vocabulary, zero when none)
-- Referrals of each outcome in the period of the published Restore:London figures (applied
-- in int_restore__published_period_referrals), with the register figure that counts it
-- (referral_outcomes.published_figure_id).

with

outcomes as (
    select * from {{ ref('stg_reference__referral_outcomes') }}
),

in_period as (
    select * from {{ ref('int_restore__published_period_referrals') }}
),

counted as (
    select
        outcomes.outcome,
        outcomes.display_order,
        outcomes.published_figure_id,
        -- the referrals metric (outcomes has no referral_id: it counts the period's rows)
        {{ metric_sql('referrals', cast_as=dbt.type_bigint()) }} as referrals
    from outcomes
    left join in_period
        on
            outcomes.outcome = in_period.outcome
            and in_period.is_as_published
    group by
        outcomes.outcome,
        outcomes.display_order,
        outcomes.published_figure_id
)

select * from counted
