-- grain: one row per programme

with

programme_value as (
    select * from {{ ref('int_finance__programme_value') }}
)

select
    cast(programme_code as {{ dbt.type_string() }}) as programme_code,
    cast(programme_name as {{ dbt.type_string() }}) as programme_name,
    cast(cost_gbp as decimal(18, 2)) as cost_gbp,
    referrals,
    take_ups,
    direct_conferences,
    cost_per_referral_gbp,
    cost_per_take_up_gbp,
    cost_per_direct_conference_gbp,
    police_officer_unit_cost_gbp,
    police_officer_equivalents
from programme_value
