-- grain: one row per delivery date (as_at_date) x programme
-- Value for money of the published period as known at each delivery: cost of the
-- programme's budget lines / referrals (take-ups, direct conferences) among those referred
-- between 1 April 2017 and 31 January 2019 (marts.fct_programme_value). Its latest slice
-- is programme_value_for_money.
-- Counts of 1 to var('suppression_threshold') are suppressed; the published programme
-- headlines are exempt through the suppression_allow_list seed. A cost per X is withheld
-- whenever X is, since cost / (cost per X) would give X back.

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['as_at_date', 'programme_code'],
    'group_by': ['as_at_date'],
    'count_columns': ['referrals', 'took_up', 'direct_conferences'],
} %}
{{ config(meta={'disclosure': disclosure}) }}

with

programme_value_facts as (
    select * from {{ ref('fct_programme_value') }}
),

programmes as (
    select * from {{ ref('dim_programme') }}
),

programme_value as (
    select
        programme_value_facts.*,
        programmes.programme_name
    from programme_value_facts
    inner join programmes
        on programme_value_facts.programme_code = programmes.programme_code
),

suppressed as (
    {{ suppress_small_counts(
        model_name='programme_value_for_money_as_at',
        relation='programme_value',
        passthrough_columns=['programme_name', 'cost_gbp', 'cost_per_referral_gbp',
                             'cost_per_take_up_gbp', 'cost_per_direct_conference_gbp',
                             'police_officer_unit_cost_gbp', 'police_officer_equivalents'],
        **disclosure
    ) }}
)

select
    cast(as_at_date as date) as as_at_date,
    cast(programme_code as {{ dbt.type_string() }}) as programme_code,
    cast(programme_name as {{ dbt.type_string() }}) as programme_name,
    cast(cost_gbp as decimal(18, 2)) as cost_gbp,
    referrals,
    is_referrals_suppressed,
    took_up,
    is_took_up_suppressed,
    direct_conferences,
    is_direct_conferences_suppressed,
    case when not is_referrals_suppressed then cost_per_referral_gbp end as cost_per_referral_gbp,
    case when not is_took_up_suppressed then cost_per_take_up_gbp end as cost_per_take_up_gbp,
    case
        when not is_direct_conferences_suppressed then cost_per_direct_conference_gbp
    end as cost_per_direct_conference_gbp,
    police_officer_unit_cost_gbp,
    police_officer_equivalents
from suppressed
