-- grain: one row per referral outcome (every outcome of the vocabulary, zero when none)
-- Referrals of each outcome in the period of the published Restore:London figures (applied
-- in int_restore__published_period_referrals), as the figures were published, with the
-- register figure that counts it (referral_outcomes.published_figure_id). The count is the
-- referrals metric, taken in int_restore__published_period_slices.

with

outcomes as (
    select * from {{ ref('stg_reference__referral_outcomes') }}
),

published_period as (
    select * from {{ ref('int_restore__published_period') }}
),

slices as (
    select * from {{ ref('int_restore__published_period_slices') }}
),

as_published as (
    select slices.*
    from slices
    inner join published_period
        on slices.as_at_date = published_period.as_at_date
),

counted as (
    select
        outcomes.outcome,
        outcomes.display_order,
        outcomes.published_figure_id,
        cast(coalesce(sum(as_published.referrals), 0) as {{ dbt.type_bigint() }}) as referrals
    from outcomes
    left join as_published
        on outcomes.outcome = as_published.outcome
    group by
        outcomes.outcome,
        outcomes.display_order,
        outcomes.published_figure_id
)

select * from counted
