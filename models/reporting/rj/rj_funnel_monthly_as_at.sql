-- grain: one row per delivery date (as_at_date) x referral month, London-wide
-- The funnel as the warehouse knew it at each delivery: each referral in its version valid
-- at that date (fct_rj_referral_history). The latest as_at_date is the current state,
-- equal to rj_funnel_monthly. Counts of 1 to var('suppression_threshold') are suppressed,
-- with secondary suppression within each as_at_date.
-- Adds the slices of the deliveries a build brings; earlier slices are left as they were
-- (incremental on DuckDB, macros/as_at_slices.sql).

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['as_at_date', 'referral_month_date'],
    'count_columns': rj_funnel_stages(),
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

as_at as (
    select
        deliveries.delivery_date as as_at_date,
        referral_history.*
    from deliveries
    inner join referral_history
        on {{ is_valid_at('referral_history', 'deliveries.delivery_date') }}
),

funnel as (
    select
        as_at_date,
        referral_month_date,
        {{ rj_funnel_counts() }}
    from as_at
    group by
        as_at_date,
        referral_month_date
),

complete as (
    select
        cast(as_at_date as date) as as_at_date,
        cast(referral_month_date as date) as referral_month_date,
        referred,
        contacted,
        took_up,
        restorative_conversation,
        indirect_communication,
        direct_conference
    from funnel
),

suppressed as (
    {{ suppress_small_counts(
        model_name='rj_funnel_monthly_as_at',
        relation='complete',
        **disclosure
    ) }}
)

select
    as_at_date,
    referral_month_date,
    {{ rj_funnel_suppressed_columns() }}
from suppressed
