-- grain: one row per probation appointment
-- Incremental by month: a run finds the records changed since the last one (source
-- record_updated_at later than any loaded), and rebuilds every month they fall in, now or
-- before a correction moved them. DuckDB deletes and re-inserts those months (delete+insert
-- keyed on the month); Spark overwrites their partitions (insert_overwrite). Both replace
-- whole months, so late and corrected records replace earlier versions and the result equals
-- a full refresh. Records deleted at source need a full refresh (--full-refresh).
{{ config(
    materialized='incremental',
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
    unique_key=(none if target.type == 'spark' else 'appointment_month_date'),
    partition_by=(['appointment_month_date'] if target.type == 'spark' else none),
    on_schema_change='fail',
) }}

with

appointments as (
    select * from {{ ref('int_probation__appointments_classified') }}
),

calendar as (
    select * from {{ ref('int_calendar__days') }}
),

{% if is_incremental() %}
changed as (
    select
        appointment_id,
        appointment_date
    from appointments
    where record_updated_at > (select max(previous.record_updated_at) from {{ this }} as previous)
),

affected_months as (
    select cast({{ dbt.date_trunc('month', 'appointment_date') }} as date) as month_start_date
    from changed
    union
    select previous.appointment_month_date as month_start_date
    from {{ this }} as previous
    inner join changed
        on previous.appointment_id = changed.appointment_id
),
{% endif %}

joined as (
    select
        appointments.appointment_id,
        appointments.person_pseudo_id,
        appointments.provider_code,
        appointments.officer_id,
        appointments.borough_code,
        appointments.contact_type_code,
        appointments.appointment_date,
        calendar.month_start_date as appointment_month_date,
        calendar.financial_year as appointment_financial_year,
        appointments.outcome_code,
        appointments.outcome_category,
        appointments.is_known_outcome,
        appointments.is_attended,
        appointments.is_complied_or_acceptable,
        appointments.is_acceptable_absence,
        appointments.is_unacceptable_absence,
        appointments.is_rescheduled,
        appointments.record_updated_at
    from appointments
    left join calendar
        on appointments.appointment_date = calendar.calendar_date
    {% if is_incremental() %}
        where calendar.month_start_date in (select month_start_date from affected_months)
    {% endif %}
)

select * from joined
