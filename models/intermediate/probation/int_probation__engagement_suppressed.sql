-- grain: one row per month x provider x borough, plus each provider's London-wide row per
-- month (borough_code 'all') and London's per month (provider_code and borough_code 'all')
-- Every grain of the engagement measures, suppressed together: counts of 1 to
-- var('suppression_threshold') are suppressed, and the secondary suppression runs across the
-- grains, so that no hidden cell can be recovered from the totals published beside it (a
-- provider's boroughs add up to its London-wide row, the providers to London's). The
-- reporting tables split it for publication (probation_engagement_monthly: the boroughs;
-- probation_engagement_london_monthly: providers and London); the build's exact audit
-- (check/disclosure.py) reads the linked groups below.
-- People are distinct people: a person seen in two boroughs (or by two providers) in one
-- month is one person at the coarser grain, so those totals can be below the sum of their
-- parts. They are protected as if they added up.

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['appointment_month_date', 'provider_code', 'borough_code'],
    'count_columns': probation_engagement_counts(),
    'additive_groups': [{
        'total': 'appointments',
        'parts': ['attended_appointments', 'acceptable_absences', 'unacceptable_absences', 'rescheduled_appointments'],
    }],
    'linked_groups': [
        {'partition': ['appointment_month_date', 'provider_code'],
         'members': "provider_code <> 'all'", 'total': "borough_code = 'all'"},
        {'partition': ['appointment_month_date', 'borough_code'],
         'members': "borough_code = 'all'", 'total': "provider_code = 'all'"},
    ],
} %}
{%- set grains = [
    {'provider': 'provider_code', 'borough': 'borough_code', 'by': ['provider_code', 'borough_code']},
    {'provider': 'provider_code', 'borough': "'all'", 'by': ['provider_code']},
    {'provider': "'all'", 'borough': "'all'", 'by': []},
] %}
{{ config(materialized='table', meta={'disclosure': disclosure}) }}

with

person_months as (
    select * from {{ ref('fct_probation_person_months') }}
),

-- People are their metrics' formulas (distinct people); the appointment counts add up the
-- person-months' counts, each its metric's formula (models/marts/probation/
-- _probation__metrics.yml), which are sums and so add up.
engagement as (
    {% for grain in grains %}
        select
            appointment_month_date,
            {{ grain.provider }} as provider_code,
            {{ grain.borough }} as borough_code,
            {{ metric_sql('people_supervised') }} as people_supervised,
            sum(appointments) as appointments,
            sum(attended_appointments) as attended_appointments,
            sum(acceptable_absences) as acceptable_absences,
            sum(unacceptable_absences) as unacceptable_absences,
            sum(rescheduled_appointments) as rescheduled_appointments,
            {{ metric_sql('people_never_seen') }} as people_never_seen
        from person_months
        group by {{ (['appointment_month_date'] + grain.by) | join(', ') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

complete as (
    select
        cast(appointment_month_date as date) as appointment_month_date,
        cast(provider_code as {{ dbt.type_string() }}) as provider_code,
        cast(borough_code as {{ dbt.type_string() }}) as borough_code,
        cast(people_supervised as {{ dbt.type_bigint() }}) as people_supervised,
        cast(appointments as {{ dbt.type_bigint() }}) as appointments,
        cast(attended_appointments as {{ dbt.type_bigint() }}) as attended_appointments,
        cast(acceptable_absences as {{ dbt.type_bigint() }}) as acceptable_absences,
        cast(unacceptable_absences as {{ dbt.type_bigint() }}) as unacceptable_absences,
        cast(rescheduled_appointments as {{ dbt.type_bigint() }}) as rescheduled_appointments,
        cast(people_never_seen as {{ dbt.type_bigint() }}) as people_never_seen
    from engagement
),

-- Row group: appointments = attended_appointments + acceptable + unacceptable absences +
-- rescheduled_appointments, in every row of every grain.
suppressed as (
    {{ suppress_small_counts(
        model_name='int_probation__engagement_suppressed',
        relation='complete',
        **disclosure
    ) }}
)

select * from suppressed
