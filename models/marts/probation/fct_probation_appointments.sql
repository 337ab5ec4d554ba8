-- depends_on: {{ ref("stg_probation__appointments") }}
-- grain: one row per probation appointment
-- Incremental by month: a run finds the records changed since the last one (source
-- record_updated_at later than any loaded), and rebuilds every month they fall in, now or
-- before a correction moved them. DuckDB deletes and re-inserts those months (delete+insert
-- keyed on the month); Spark overwrites their partitions (insert_overwrite). Both replace
-- whole months, so late and corrected records replace earlier versions and the result equals
-- a full refresh. Records deleted at source need a full refresh (--full-refresh).
{%- set affected_months = [] -%}
{%- if is_incremental() and execute -%}
    {#- Months to rebuild, read before the model runs so that the filter below is a list of
        dates DuckDB and Spark push into the source scan (pseudonymising only those rows). -#}
    {%- set affected_months_sql -%}
        with
        changed as (
            select
                appointment_id,
                appointment_date
            from {{ ref('stg_probation__appointments') }}
            where record_updated_at > (select max(previous.record_updated_at) from {{ this }} as previous)
        )
        select cast({{ dbt.date_trunc('month', 'appointment_date') }} as date) as month_start_date
        from changed
        union
        select previous.appointment_month_date as month_start_date
        from {{ this }} as previous
        inner join changed
            on previous.appointment_id = changed.appointment_id
    {%- endset -%}
    {%- set affected_months = run_query(affected_months_sql).columns[0].values() | map('string') | list -%}
{%- endif %}
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
    where valid_to_date is null  -- the current version of each record
),

calendar as (
    select * from {{ ref('int_calendar__days') }}
),

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
        where
            {% if affected_months %}
                cast({{ dbt.date_trunc('month', 'appointments.appointment_date') }} as date) in (
                    {%- for month in affected_months %}
                        cast('{{ month[:10] }}' as date){{ "," if not loop.last }}
                    {%- endfor %}
                )
            {% else %}
                1 = 0
            {% endif %}
    {% endif %}
)

select * from joined
