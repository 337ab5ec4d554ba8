-- Reconciliation: the outcome counts, the monthly funnel and the borough funnel each add
-- up to the number of referrals in the fact table. Returns a row for each total that differs.

with

referrals as (
    select count(*) as total from {{ ref('fct_rj_referrals') }}
),

totals as (
    select
        'rj_referral_outcomes' as reported_in,
        sum(referrals) as total
    from {{ ref('rj_referral_outcomes') }}
    union all
    select
        'rj_funnel_monthly' as reported_in,
        sum(referred) as total
    from {{ ref('rj_funnel_monthly') }}
    union all
    select
        'rj_funnel_by_borough' as reported_in,
        sum(referred) as total
    from {{ ref('rj_funnel_by_borough') }}
)

select
    totals.reported_in,
    totals.total as reported_total,
    referrals.total as referrals_total
from totals
cross join referrals
where totals.total != referrals.total
