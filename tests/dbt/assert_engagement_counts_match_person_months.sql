-- Reconciliation of the engagement counts with the person-months, recounted whole in every
-- build. A build that adds deliveries takes the counts in by delta (previous counts, less
-- the touched people's replaced rows, plus their new ones: int_probation__engagement_counts),
-- so an error there, or counts left behind by a run that changed the person-months without
-- them, would otherwise carry on from build to build. Each month x provider x borough cell
-- is counted again here another way: the person-months hold one row per person, month,
-- provider and borough (their unique_combination_of_columns test), so a cell's people are
-- its rows and its people never seen its rows flagged so, with no distinct count (0.2 s
-- over 18.5 M rows at `national`). A cell on one side only is a row too. The coarser grains
-- come from the same rows by the same rule; the validation checks each published cell's
-- people against the appointments.
-- Reads several models: the orchestrator shows it as a check on int_probation__engagement_counts.
{{ config(meta={'dagster': {'ref': {'name': 'int_probation__engagement_counts'}}}) }}
{%- set counts = probation_engagement_counts() %}

with

person_months as (
    select * from {{ ref('fct_probation_person_months') }}
),

engagement_counts as (
    select * from {{ ref('int_probation__engagement_counts') }}
    where period = 'month' and provider_code <> 'all' and borough_code <> 'all'
),

recounted as (
    select
        appointment_month_date as period_start_date,
        provider_code,
        borough_code,
        count(*) as people_supervised,
        sum(appointments) as appointments,
        sum(attended_appointments) as attended_appointments,
        sum(acceptable_absences) as acceptable_absences,
        sum(unacceptable_absences) as unacceptable_absences,
        sum(rescheduled_appointments) as rescheduled_appointments,
        sum(case when is_never_seen then 1 else 0 end) as people_never_seen
    from person_months
    group by
        appointment_month_date,
        provider_code,
        borough_code
),

compared as (
    select
        coalesce(recounted.period_start_date, engagement_counts.period_start_date)
            as period_start_date,
        coalesce(recounted.provider_code, engagement_counts.provider_code) as provider_code,
        coalesce(recounted.borough_code, engagement_counts.borough_code) as borough_code,
        {% for column in counts %}
            recounted.{{ column }} as recounted_{{ column }},
            engagement_counts.{{ column }} as counted_{{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from recounted
    full outer join engagement_counts
        on
            recounted.period_start_date = engagement_counts.period_start_date
            and recounted.provider_code = engagement_counts.provider_code
            and recounted.borough_code = engagement_counts.borough_code
)

-- A count missing on either side compares as null: a difference.
select *
from compared
where
    {% for column in counts -%}
        {{ 'or ' if not loop.first }}coalesce(recounted_{{ column }} <> counted_{{ column }}, true)
    {% endfor %}
