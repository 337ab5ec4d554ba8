-- grain: one row per referral outcome (all four outcomes, zero when none)

with

referrals as (
    select * from {{ ref('fct_rj_referrals') }}
),

outcomes as (
    select 'took_up' as outcome, 1 as display_order
    union all
    select 'declined', 2
    union all
    select 'no_contact', 3
    union all
    select 'ongoing', 4
),

counted as (
    select
        outcome,
        count(*) as referrals
    from referrals
    group by outcome
),

final as (
    select
        cast(outcomes.outcome as {{ dbt.type_string() }}) as outcome,
        cast(coalesce(counted.referrals, 0) as {{ dbt.type_bigint() }}) as referrals,
        cast(outcomes.display_order as {{ dbt.type_int() }}) as display_order
    from outcomes
    left join counted
        on outcomes.outcome = counted.outcome
)

select * from final
