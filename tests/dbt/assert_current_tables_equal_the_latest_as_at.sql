-- Two computations of the current state agree: the current reporting tables (each
-- referral's current version, fct_rj_referrals) and the as-at tables at the latest delivery
-- (the version valid at that date, fct_rj_referral_history). A difference means the
-- validity intervals of the history are wrong.
-- Returns one row per outcome or referral month whose counts differ.
-- Reads several models: the orchestrator shows it as a check on rj_referral_outcomes_as_at.
{{ config(meta={'dagster': {'ref': {'name': 'rj_referral_outcomes_as_at'}}}) }}

with

outcomes as (
    select * from {{ ref('rj_referral_outcomes') }}
),

outcomes_as_at as (
    select * from {{ ref('rj_referral_outcomes_as_at') }}
),

funnel as (
    select * from {{ ref('rj_funnel_monthly') }}
),

funnel_as_at as (
    select * from {{ ref('rj_funnel_monthly_as_at') }}
),

deliveries as (
    select * from {{ ref('dim_delivery') }}
),

latest_outcomes as (
    select outcomes_as_at.*
    from outcomes_as_at
    inner join deliveries
        on outcomes_as_at.as_at_date = deliveries.delivery_date
    where deliveries.is_latest
),

latest_funnel as (
    select funnel_as_at.*
    from funnel_as_at
    inner join deliveries
        on funnel_as_at.as_at_date = deliveries.delivery_date
    where deliveries.is_latest
),

outcome_differences as (
    select
        'outcome' as compared,
        cast(coalesce(outcomes.outcome, latest_outcomes.outcome) as {{ dbt.type_string() }})
            as compared_key,
        outcomes.referrals as current_count,
        latest_outcomes.referrals as as_at_count
    from outcomes
    full outer join latest_outcomes
        on outcomes.outcome = latest_outcomes.outcome
    where
        outcomes.outcome is null
        or latest_outcomes.outcome is null
        or outcomes.referrals is distinct from latest_outcomes.referrals
),

funnel_differences as (
    select
        'referral_month' as compared,
        cast(
            coalesce(funnel.referral_month_date, latest_funnel.referral_month_date)
            as {{ dbt.type_string() }}
        ) as compared_key,
        funnel.referred as current_count,
        latest_funnel.referred as as_at_count
    from funnel
    full outer join latest_funnel
        on funnel.referral_month_date = latest_funnel.referral_month_date
    where
        funnel.referral_month_date is null
        or latest_funnel.referral_month_date is null
        or funnel.referred is distinct from latest_funnel.referred
        or funnel.contacted is distinct from latest_funnel.contacted
        or funnel.took_up is distinct from latest_funnel.took_up
        or funnel.restorative_conversation is distinct from latest_funnel.restorative_conversation
        or funnel.indirect_communication is distinct from latest_funnel.indirect_communication
        or funnel.direct_conference is distinct from latest_funnel.direct_conference
)

select * from outcome_differences
union all
select * from funnel_differences
