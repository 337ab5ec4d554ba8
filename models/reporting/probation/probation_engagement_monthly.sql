-- grain: one row per month x provider x borough
-- People supervised and never seen are their metrics' formulas (distinct people); the
-- appointment counts add up the person-months' counts, each its metric's formula
-- (models/marts/probation/_probation__metrics.yml), which are sums and so add up.
-- Counts of 1 to var('suppression_threshold') are suppressed, with secondary suppression.

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['appointment_month_date', 'provider_code', 'borough_code'],
    'count_columns': ['people_supervised', 'appointments', 'attended_appointments', 'acceptable_absences',
                      'unacceptable_absences', 'rescheduled_appointments', 'people_never_seen'],
    'group_by': ['appointment_month_date', 'provider_code'],
    'additive_groups': [{
        'total': 'appointments',
        'parts': ['attended_appointments', 'acceptable_absences', 'unacceptable_absences', 'rescheduled_appointments'],
    }],
} %}
{{ config(meta={'disclosure': disclosure}) }}

with

person_months as (
    select * from {{ ref('fct_probation_person_months') }}
),

engagement as (
    select
        appointment_month_date,
        provider_code,
        borough_code,
        {{ metric_sql('people_supervised') }} as people_supervised,
        sum(appointments) as appointments,
        sum(attended_appointments) as attended_appointments,
        sum(acceptable_absences) as acceptable_absences,
        sum(unacceptable_absences) as unacceptable_absences,
        sum(rescheduled_appointments) as rescheduled_appointments,
        {{ metric_sql('people_never_seen') }} as people_never_seen
    from person_months
    group by
        appointment_month_date,
        provider_code,
        borough_code
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

-- Column groups: the boroughs of one month and provider (they add up to its London total).
-- Row group: appointments = attended_appointments + acceptable + unacceptable absences + rescheduled_appointments.
suppressed as (
    {{ suppress_small_counts(
        model_name='probation_engagement_monthly',
        relation='complete',
        **disclosure
    ) }}
)

select
    appointment_month_date,
    provider_code,
    borough_code,
    people_supervised,
    is_people_supervised_suppressed,
    appointments,
    is_appointments_suppressed,
    attended_appointments,
    is_attended_appointments_suppressed,
    acceptable_absences,
    is_acceptable_absences_suppressed,
    unacceptable_absences,
    is_unacceptable_absences_suppressed,
    rescheduled_appointments,
    is_rescheduled_appointments_suppressed,
    people_never_seen,
    is_people_never_seen_suppressed
from suppressed
