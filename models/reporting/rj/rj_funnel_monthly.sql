-- grain: one row per referral month, London-wide
-- Funnel stages are cumulative: a referral counts at every stage up to its furthest one.
-- Counts of 1 to var('suppression_threshold') are suppressed, with secondary suppression.

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['referral_month_date'],
    'count_columns': rj_funnel_stages(),
} %}
{{ config(meta={'disclosure': disclosure}) }}

with

referrals as (
    select * from {{ ref('fct_rj_referrals') }}
),

funnel as (
    select
        referral_month_date,
        {{ rj_funnel_counts() }}
    from referrals
    group by referral_month_date
),

complete as (
    select
        cast(referral_month_date as date) as referral_month_date,
        referred,
        contacted,
        took_up,
        restorative_conversation,
        indirect_communication,
        direct_conference
    from funnel
),

-- Each stage column adds up to a London total, so secondary suppression works per column.
suppressed as (
    {{ suppress_small_counts(
        model_name='rj_funnel_monthly',
        relation='complete',
        **disclosure
    ) }}
)

select
    referral_month_date,
    {{ rj_funnel_suppressed_columns() }}
from suppressed
