-- grain: one row per referral outcome (every outcome of the referral_outcomes seed, zero when none)
-- Counts of 1 to var('suppression_threshold') are suppressed (macros/suppress_small_counts.sql);
-- the published programme headlines are exempt through the suppression_allow_list seed.

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['outcome'],
    'count_columns': ['referrals'],
} %}
{{ config(meta={'disclosure': disclosure}) }}

with

referrals as (
    select * from {{ ref('fct_rj_referrals') }}
),

outcomes as (
    select * from {{ ref('dim_referral_outcome') }}
),

counted as (
    select
        outcome,
        {{ metric_sql('referrals') }} as referrals
    from referrals
    group by outcome
),

complete as (
    select
        cast(outcomes.outcome as {{ dbt.type_string() }}) as outcome,
        cast(outcomes.outcome_name as {{ dbt.type_string() }}) as outcome_name,
        cast(outcomes.display_order as {{ dbt.type_int() }}) as display_order,
        cast(coalesce(counted.referrals, 0) as {{ dbt.type_bigint() }}) as referrals
    from outcomes
    left join counted
        on outcomes.outcome = counted.outcome
),

suppressed as (
    {{ suppress_small_counts(
        model_name='rj_referral_outcomes',
        relation='complete',
        passthrough_columns=['outcome_name', 'display_order'],
        **disclosure
    ) }}
)

select
    outcome,
    outcome_name,
    referrals,
    is_referrals_suppressed,
    display_order
from suppressed
