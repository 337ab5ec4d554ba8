-- grain: one row per delivery date (as_at_date) x referral outcome (every outcome of the
-- referral_outcomes seed, zero when none)
-- The referrals by outcome as the warehouse knew them at each delivery: each referral in
-- its version valid at that date (fct_rj_referral_history). The latest as_at_date is the
-- current state, equal to rj_referral_outcomes (a dbt test compares them). Counts of 1 to
-- var('suppression_threshold') are suppressed within each as_at_date.
-- Adds the slices of the deliveries a build brings; earlier slices are left as they were
-- (incremental on DuckDB, macros/as_at_slices.sql).

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['as_at_date', 'outcome'],
    'count_columns': ['referrals'],
    'group_by': ['as_at_date'],
} %}
{{ config(meta={'disclosure': disclosure}) }}
{{ as_at_slices_config() }}

with

referral_history as (
    select * from {{ ref('fct_rj_referral_history') }}
),

deliveries as (
    select * from {{ ref('dim_delivery') }}
    where {{ as_at_slices_to_build('delivery_date') }}
),

outcomes as (
    select * from {{ ref('dim_referral_outcome') }}
),

as_at as (
    select
        deliveries.delivery_date as as_at_date,
        referral_history.referral_id,
        referral_history.outcome
    from deliveries
    inner join referral_history
        on {{ is_valid_at('referral_history', 'deliveries.delivery_date') }}
),

counted as (
    select
        as_at_date,
        outcome,
        {{ metric_sql('referrals') }} as referrals
    from as_at
    group by
        as_at_date,
        outcome
),

complete as (
    select
        cast(deliveries.delivery_date as date) as as_at_date,
        cast(outcomes.outcome as {{ dbt.type_string() }}) as outcome,
        cast(outcomes.outcome_name as {{ dbt.type_string() }}) as outcome_name,
        cast(outcomes.display_order as {{ dbt.type_int() }}) as display_order,
        cast(coalesce(counted.referrals, 0) as {{ dbt.type_bigint() }}) as referrals
    from deliveries
    cross join outcomes
    left join counted
        on
            deliveries.delivery_date = counted.as_at_date
            and outcomes.outcome = counted.outcome
),

suppressed as (
    {{ suppress_small_counts(
        model_name='rj_referral_outcomes_as_at',
        relation='complete',
        passthrough_columns=['outcome_name', 'display_order'],
        **disclosure
    ) }}
)

select
    as_at_date,
    outcome,
    outcome_name,
    referrals,
    is_referrals_suppressed,
    display_order
from suppressed
