-- grain: one row per period x provider x borough, where a period is a month or a financial
-- year: each month x provider x borough, each provider's London-wide row per month
-- (borough_code 'all'), London's per month (provider_code and borough_code 'all'), and each
-- borough's row per financial year (provider_code 'all'; period 'financial_year')
-- Every grain of the engagement measures (int_probation__engagement_counts), suppressed together: counts of 1 to
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
{{ config(materialized='table', meta={'disclosure': disclosure}) }}

with

complete as (
    select * from {{ ref('int_probation__engagement_counts') }}
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
