-- The funnel rule, on the counts before suppression (after it, a suppressed stage is null
-- and any comparison with it passes): for every referral month and every borough, each
-- stage is at most the stage before it. Counted with the same macro as the reporting
-- funnels. Returns a row per group and pair of stages that break it.
{%- set stages = rj_funnel_stages() %}

with

referrals as (
    select * from {{ ref('fct_rj_referrals') }}
),

funnels as (
    select
        'referral_month_date' as grouped_by,
        cast(referral_month_date as {{ dbt.type_string() }}) as group_value,
        {{ rj_funnel_counts() }}
    from referrals
    group by referral_month_date
    union all
    select
        'borough_code' as grouped_by,
        cast(borough_code as {{ dbt.type_string() }}) as group_value,
        {{ rj_funnel_counts() }}
    from referrals
    group by borough_code
),

increases as (
    {%- for stage in stages[1:] %}
        select
            grouped_by,
            group_value,
            '{{ stages[loop.index0] }} < {{ stage }}' as broken_pair
        from funnels
        where {{ stage }} > {{ stages[loop.index0] }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from increases
