-- depends_on: {{ ref('fct_probation_appointment_history') }}
-- grain: one row per person x month x provider x borough with at least one appointment
-- Business rule: a person is "never seen" in a month when none of their appointments,
-- from their first one up to the end of that month, was attended. The appointment counts
-- are their metrics' formulas (models/marts/probation/_probation__metrics.yml).
-- Incremental by person on DuckDB. Never-seen is cumulative over a person's months, and a
-- person's rows depend on their own appointments only, so a build that adds deliveries to a
-- published warehouse (macros/changed_after_date.sql) rebuilds every month of the people
-- those deliveries touched (macros/touched_people.sql), delete+insert keyed on the person;
-- a pre-hook first deletes every row of those people, so one left with no appointment keeps
-- none. Any other incremental run rebuilds everyone; on Spark the table is rebuilt whole.
-- Both equal a full refresh.
{%- set changed_after = changed_after_date() if is_incremental() else '' %}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='person_pseudo_id',
    on_schema_change='fail',
    pre_hook="{{ delete_touched_people() }}",
    meta={'changed_rows': 'touched_people'},
) }}

with

appointments as (
    select * from {{ ref('fct_probation_appointments') }}
    {%- if changed_after %}
        where person_pseudo_id in ({{ touched_people(changed_after) }})
    {%- endif %}
),

person_months as (
    select
        person_pseudo_id,
        provider_code,
        borough_code,
        appointment_month_date,
        {{ metric_sql('appointments', cast_as=dbt.type_bigint()) }} as appointments,
        {{ metric_sql('attended_appointments', cast_as=dbt.type_bigint()) }} as attended_appointments,
        {{ metric_sql('acceptable_absences', cast_as=dbt.type_bigint()) }} as acceptable_absences,
        {{ metric_sql('unacceptable_absences', cast_as=dbt.type_bigint()) }} as unacceptable_absences,
        {{ metric_sql('rescheduled_appointments', cast_as=dbt.type_bigint()) }}
            as rescheduled_appointments
    from appointments
    group by
        person_pseudo_id,
        provider_code,
        borough_code,
        appointment_month_date
),

-- Up to the end of the month: a range frame takes in every row of the person's month (a
-- person seen in two boroughs in a month has a row for each), where a rows frame would stop
-- at whichever of them came first.
attended_to_date as (
    select
        *,
        sum(attended_appointments) over (
            partition by person_pseudo_id
            order by appointment_month_date
            range between unbounded preceding and current row
        ) as attended_to_date
    from person_months
),

flagged as (
    select
        person_pseudo_id,
        provider_code,
        borough_code,
        appointment_month_date,
        appointments,
        attended_appointments,
        acceptable_absences,
        unacceptable_absences,
        rescheduled_appointments,
        attended_to_date = 0 as is_never_seen
    from attended_to_date
)

select * from flagged
