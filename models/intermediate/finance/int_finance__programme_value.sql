-- grain: one row per delivery date (as_at_date) x programme
-- Business rule: value for money divides a programme's cost by the referrals, take-ups
-- and direct conferences it produced in the published period (the ratios are the metrics
-- of models/marts/finance/_finance__metrics.yml, on this model's rows), as known at each
-- delivery (counted once, in int_restore__published_period_counts; is_as_published marks
-- the state of the published figures, is_latest the current state). The referrals are the
-- programme's whose referral_extract (seed programmes) is the rj_referrals extract:
-- Restore:London's case-management system. Police-officer equivalents divide cost by the
-- officer unit cost implied by the published 22-officer claim.

with

programme_costs as (
    select * from {{ ref('int_finance__programme_costs') }}
),

published_period_counts as (
    select * from {{ ref('int_restore__published_period_counts') }}
),

programmes as (
    select * from {{ ref('stg_reference__programmes') }}
),

referral_counts as (
    select
        programmes.programme_code,
        published_period_counts.as_at_date,
        published_period_counts.referrals,
        published_period_counts.took_up,
        published_period_counts.direct_conferences
    from published_period_counts
    cross join programmes
    where programmes.referral_extract = 'rj_referrals'
),

as_at_dates as (
    select
        as_at_date,
        is_as_published,
        is_latest
    from published_period_counts
),

joined as (
    select
        as_at_dates.as_at_date,
        as_at_dates.is_as_published,
        as_at_dates.is_latest,
        programme_costs.programme_code,
        programme_costs.programme_name,
        programme_costs.cost_gbp,
        programme_costs.police_officer_unit_cost_gbp,
        cast(referral_counts.referrals as {{ dbt.type_bigint() }}) as referrals,
        cast(referral_counts.took_up as {{ dbt.type_bigint() }}) as took_up,
        cast(referral_counts.direct_conferences as {{ dbt.type_bigint() }}) as direct_conferences
    from programme_costs
    cross join as_at_dates
    left join referral_counts
        on
            programme_costs.programme_code = referral_counts.programme_code
            and as_at_dates.as_at_date = referral_counts.as_at_date
),

ratios as (
    select
        as_at_date,
        is_as_published,
        is_latest,
        programme_code,
        programme_name,
        cost_gbp,
        referrals,
        took_up,
        direct_conferences,
        cast(round({{ metric_sql('cost_per_referral_gbp', 'row') }}, 2) as decimal(18, 2))
            as cost_per_referral_gbp,
        cast(round({{ metric_sql('cost_per_take_up_gbp', 'row') }}, 2) as decimal(18, 2))
            as cost_per_take_up_gbp,
        cast(round({{ metric_sql('cost_per_direct_conference_gbp', 'row') }}, 2) as decimal(18, 2))
            as cost_per_direct_conference_gbp,
        police_officer_unit_cost_gbp,
        cast(round({{ metric_sql('police_officer_equivalents', 'row') }}, 2) as decimal(18, 2))
            as police_officer_equivalents
    from joined
)

select * from ratios
