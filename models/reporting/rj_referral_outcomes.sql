-- grain: one row per referral outcome (all four outcomes, zero when none)

with

referrals as (
    select * from {{ ref('fct_rj_referrals') }}
),

outcomes as (
    {% for outcome in ['took_up', 'declined', 'no_contact', 'ongoing'] -%}
        select
            '{{ outcome }}' as outcome,
            {{ loop.index }} as display_order
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
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
