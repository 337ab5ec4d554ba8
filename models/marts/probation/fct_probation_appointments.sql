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
        dates DuckDB and Spark push into the scan of the history table. -#}
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

appointment_history as (
    select * from {{ ref('fct_probation_appointment_history') }}
),

joined as (
    select
        appointment_id,
        person_pseudo_id,
        provider_code,
        officer_id,
        borough_code,
        contact_type_code,
        appointment_date,
        appointment_month_date,
        appointment_financial_year,
        outcome_code,
        outcome_category,
        is_known_outcome,
        is_attended,
        is_complied_or_acceptable,
        is_acceptable_absence,
        is_unacceptable_absence,
        is_rescheduled,
        record_updated_at
    from appointment_history
    where
        is_current
    {% if is_incremental() %}
            and
            {% if affected_months %}
                appointment_month_date in (
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
