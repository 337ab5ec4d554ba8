-- Reconciliation: the outcome counts, the monthly funnel and the borough funnel each add
-- up to the number of referrals in the fact table. Suppressed cells are null, so a table with
-- suppressed cells must add up to less; one without must add up exactly.
-- Returns a row for each table that breaks this.
-- Reads several models: the orchestrator shows it as a check on rj_referral_outcomes.
{{ config(meta={'dagster': {'ref': {'name': 'rj_referral_outcomes'}}}) }}

with

referrals as (
    select count(*) as total from {{ ref('fct_rj_referrals') }}
),

totals as (
    select
        'rj_referral_outcomes' as reported_in,
        coalesce(sum(referrals), 0) as total,
        {{ count_where('is_referrals_suppressed') }} as suppressed_cells
    from {{ ref('rj_referral_outcomes') }}
    union all
    select
        'rj_funnel_monthly' as reported_in,
        coalesce(sum(referred), 0) as total,
        {{ count_where('is_referred_suppressed') }} as suppressed_cells
    from {{ ref('rj_funnel_monthly') }}
    union all
    select
        'rj_funnel_by_borough' as reported_in,
        coalesce(sum(referred), 0) as total,
        {{ count_where('is_referred_suppressed') }} as suppressed_cells
    from {{ ref('rj_funnel_by_borough') }}
)

select
    totals.reported_in,
    totals.total as reported_total,
    totals.suppressed_cells,
    referrals.total as referrals_total
from totals
cross join referrals
where
    (totals.suppressed_cells = 0 and totals.total != referrals.total)
    or (totals.suppressed_cells > 0 and totals.total >= referrals.total)
