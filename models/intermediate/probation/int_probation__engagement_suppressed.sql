-- grain: one row per period x provider x borough, where a period is a month or a financial
-- year: each month x provider x borough, each provider's London-wide row per month
-- (borough_code 'all'), London's per month (provider_code and borough_code 'all'), and each
-- borough's row per financial year (provider_code 'all'; period 'financial_year')
-- Every grain of the engagement measures, suppressed together: counts of 1 to
-- var('suppression_threshold') are suppressed, and the secondary suppression runs across the
-- grains, so that no hidden cell can be recovered from the totals published beside it (a
-- provider's boroughs add up to its London-wide row, the providers to London's, a borough's
-- months and providers to its financial year in the appointment counts). A borough's year
-- is hidden in a count wherever one of its months is (total_follows_members, see
-- macros/suppress_small_counts.sql), so that the year adds nothing to what the months
-- hide. The reporting tables split it for publication (probation_engagement_monthly: the
-- boroughs by month; probation_engagement_london_monthly: providers and London;
-- probation_engagement_borough_annual: the boroughs by financial year); the build's exact
-- audit (check/linked.py) reads the linked groups below.
-- People are distinct people: a person seen in two boroughs (or by two providers) in a month
-- is one person at the coarser grain, so those totals can be below the sum of their parts;
-- they are protected as if they added up. A year's people are far from the sum of its
-- months (a person is supervised for many), so they are suppressed on their own counts.

{%- set appointment_counts = {
    'total': 'appointments',
    'parts': ['attended_appointments', 'acceptable_absences', 'unacceptable_absences', 'rescheduled_appointments'],
} %}
{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['period', 'period_start_date', 'provider_code', 'borough_code'],
    'passthrough_columns': ['financial_year'],
    'count_columns': probation_engagement_counts(),
    'additive_groups': [appointment_counts],
    'linked_groups': [
        {'partition': ['period', 'period_start_date', 'provider_code'],
         'members': "period = 'month' and provider_code <> 'all'", 'total': "borough_code = 'all'"},
        {'partition': ['period', 'period_start_date', 'borough_code'],
         'members': "period = 'month' and borough_code = 'all'", 'total': "provider_code = 'all'"},
        {'partition': ['financial_year', 'borough_code'],
         'members': "borough_code <> 'all' and (provider_code <> 'all' or period = 'financial_year')",
         'total': "period = 'financial_year'", 'total_follows_members': true,
         'columns': [appointment_counts.total] + appointment_counts.parts},
    ],
} %}
{%- set month = 'appointment_month_date' %}
{%- set financial_year = financial_year_label('appointment_month_date') %}
{%- set grains = [
    {'period': 'month', 'start': month, 'provider': 'provider_code', 'borough': 'borough_code',
     'by': [month, 'provider_code', 'borough_code']},
    {'period': 'month', 'start': month, 'provider': 'provider_code', 'borough': "'all'",
     'by': [month, 'provider_code']},
    {'period': 'month', 'start': month, 'provider': "'all'", 'borough': "'all'", 'by': [month]},
    {'period': 'financial_year', 'start': 'min(' ~ financial_year_start_date(month) ~ ')', 'provider': "'all'",
     'borough': 'borough_code', 'by': [financial_year, 'borough_code']},
] %}
{{ config(materialized='table', meta={'disclosure': disclosure}) }}

with

-- Read by each grain's aggregation, never stored as a whole (macros/inline_cte.sql).
person_months as {{ inline_cte() }} (
    select * from {{ ref('fct_probation_person_months') }}
),

-- People are their metrics' formulas (distinct people); the appointment counts add up the
-- person-months' counts, each its metric's formula (models/marts/probation/
-- _probation__metrics.yml), which are sums and so add up.
engagement as (
    {% for grain in grains %}
        select
            '{{ grain.period }}' as period,
            {{ grain.start }} as period_start_date,
            {{ financial_year }} as financial_year,
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
        group by {{ grain.by | join(', ') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

complete as (
    select
        cast(period as {{ dbt.type_string() }}) as period,
        cast(period_start_date as date) as period_start_date,
        cast(financial_year as {{ dbt.type_string() }}) as financial_year,
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
