-- grain: one row per London borough, whole programme period (zero rows for none)
-- Funnel stages are cumulative: a referral counts at every stage up to its furthest one.
-- Counts of 1 to var('suppression_threshold') are suppressed, with secondary suppression.

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['borough_code'],
    'count_columns': rj_funnel_stages(),
} %}
{{ config(meta={'disclosure': disclosure}) }}

with

referrals as (
    select * from {{ ref('fct_rj_referrals') }}
),

boroughs as (
    select * from {{ ref('dim_borough') }}
),

funnel as (
    select
        borough_code,
        {{ rj_funnel_counts() }}
    from referrals
    group by borough_code
),

complete as (
    select
        cast(boroughs.borough_code as {{ dbt.type_string() }}) as borough_code,
        cast(boroughs.borough_name as {{ dbt.type_string() }}) as borough_name,
        cast(coalesce(funnel.referred, 0) as {{ dbt.type_bigint() }}) as referred,
        cast(coalesce(funnel.contacted, 0) as {{ dbt.type_bigint() }}) as contacted,
        cast(coalesce(funnel.took_up, 0) as {{ dbt.type_bigint() }}) as took_up,
        cast(coalesce(funnel.restorative_conversation, 0) as {{ dbt.type_bigint() }})
            as restorative_conversation,
        cast(coalesce(funnel.indirect_communication, 0) as {{ dbt.type_bigint() }})
            as indirect_communication,
        cast(coalesce(funnel.direct_conference, 0) as {{ dbt.type_bigint() }}) as direct_conference
    from boroughs
    left join funnel
        on boroughs.borough_code = funnel.borough_code
),

-- Each stage column adds up to a London total, so secondary suppression works per column.
suppressed as (
    {{ suppress_small_counts(
        model_name='rj_funnel_by_borough',
        relation='complete',
        passthrough_columns=['borough_name'],
        **disclosure
    ) }}
)

select
    borough_code,
    borough_name,
    {{ rj_funnel_suppressed_columns() }}
from suppressed
