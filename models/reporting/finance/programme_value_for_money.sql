-- grain: one row per programme, as at the latest delivery: the latest slice of
-- programme_value_for_money_as_at (the current state), where the formulas and the
-- suppression are (counts of 1 to var('suppression_threshold') suppressed, the published
-- headlines exempt, a cost per X withheld whenever X is). The disclosure config is the
-- same as the as-at table's, without its as_at_date: the build's disclosure checks read it.

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['programme_code'],
    'count_columns': ['referrals', 'took_up', 'direct_conferences'],
} %}
{{ config(meta={'disclosure': disclosure}) }}

with

as_at as (
    select * from {{ ref('programme_value_for_money_as_at') }}
),

latest_delivery as (
    select max(as_at_date) as as_at_date
    from as_at
),

latest as (
    select
        as_at.programme_code,
        as_at.programme_name,
        as_at.cost_gbp,
        as_at.referrals,
        as_at.is_referrals_suppressed,
        as_at.took_up,
        as_at.is_took_up_suppressed,
        as_at.direct_conferences,
        as_at.is_direct_conferences_suppressed,
        as_at.cost_per_referral_gbp,
        as_at.cost_per_take_up_gbp,
        as_at.cost_per_direct_conference_gbp,
        as_at.police_officer_unit_cost_gbp,
        as_at.police_officer_equivalents
    from as_at
    inner join latest_delivery
        on as_at.as_at_date = latest_delivery.as_at_date
)

select * from latest
