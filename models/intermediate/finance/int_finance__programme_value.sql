-- grain: one row per programme
-- Business rule: value for money divides a programme's cost by the referrals, take-ups
-- and direct conferences it produced in the programme window (vars rj_programme_*);
-- the referral extract is Restore:London's case-management system, so only that
-- programme has referrals. Police-officer equivalents divide cost by the officer unit
-- cost implied by the published 22-officer claim.

with

programme_costs as (
    select * from {{ ref('int_finance__programme_costs') }}
),

referral_stages as (
    select * from {{ ref('int_restore__referral_stages') }}
),

referral_counts as (
    select
        'restore_london' as programme_code,
        count(*) as referrals,
        {{ count_where('is_took_up') }} as take_ups,
        {{ count_where("furthest_stage = 'direct_conference'") }} as direct_conferences
    from referral_stages
    where
        referral_date between cast('{{ var("rj_programme_start_date") }}' as date)
        and cast('{{ var("rj_programme_end_date") }}' as date)
),

joined as (
    select
        programme_costs.programme_code,
        programme_costs.programme_name,
        programme_costs.cost_gbp,
        programme_costs.police_officer_unit_cost_gbp,
        cast(referral_counts.referrals as {{ dbt.type_bigint() }}) as referrals,
        cast(referral_counts.take_ups as {{ dbt.type_bigint() }}) as take_ups,
        cast(referral_counts.direct_conferences as {{ dbt.type_bigint() }}) as direct_conferences
    from programme_costs
    left join referral_counts
        on programme_costs.programme_code = referral_counts.programme_code
),

ratios as (
    select
        programme_code,
        programme_name,
        cost_gbp,
        referrals,
        take_ups,
        direct_conferences,
        cast(round(cost_gbp / nullif(referrals, 0), 2) as decimal(18, 2)) as cost_per_referral_gbp,
        cast(round(cost_gbp / nullif(take_ups, 0), 2) as decimal(18, 2)) as cost_per_take_up_gbp,
        cast(round(cost_gbp / nullif(direct_conferences, 0), 2) as decimal(18, 2))
            as cost_per_direct_conference_gbp,
        police_officer_unit_cost_gbp,
        cast(round(cost_gbp / nullif(police_officer_unit_cost_gbp, 0), 2) as decimal(18, 2))
            as police_officer_equivalents
    from joined
)

select * from ratios
