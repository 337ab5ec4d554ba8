-- depends_on: {{ ref("stg_probation__appointments") }}
-- grain: one row per probation appointment
-- Incremental. On DuckDB, by appointment: a run takes the current versions of the records
-- its deliveries sent (valid_from_date after the newest version held) and of the records
-- changed in place since the last run (record_updated_at later than any held: a source
-- without delivery dates, such as the bundled seeds in development), and replaces those
-- appointments (delete+insert keyed on appointment_id), wherever their month, so its cost
-- grows with the delivery, not with the history. On Spark, by month: the months those
-- records fall in, now or before a correction moved them, are overwritten
-- (insert_overwrite on month partitions; Spark has no delete by key without Delta).
-- Both equal a full refresh. Records deleted at source need a full refresh (--full-refresh).
{%- set affected_months = [] -%}
{%- set held = {} -%}
{%- if is_incremental() and execute and target.type != 'spark' -%}
    {#- The newest delivery and update time held, read before the model runs so that the
        filter below is literals DuckDB pushes into the scan of the history table. -#}
    {%- set held_sql -%}
        select
            cast(max(held.valid_from_date) as {{ dbt.type_string() }}),
            cast(max(held.record_updated_at) as {{ dbt.type_string() }})
        from {{ this }} as held
    {%- endset -%}
    {%- set row = run_query(held_sql).rows[0] -%}
    {%- do held.update({'delivery': row[0], 'updated_at': row[1]}) -%}
{%- elif is_incremental() and execute -%}
    {#- Spark: the months to overwrite, read before the model runs so that the filter below is
        a list of dates Spark pushes into the scan of the history table. -#}
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
    unique_key=(none if target.type == 'spark' else 'appointment_id'),
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
        record_updated_at,
        valid_from_date
    from appointment_history
    where
        is_current
    {% if is_incremental() and target.type != 'spark' %}
            and (
                {%- if held.delivery %}
                    valid_from_date > cast('{{ held.delivery[:10] }}' as date)
                {%- else %}
                    1 = 1
                {%- endif %}
                {%- if held.updated_at %}
                    or record_updated_at > cast('{{ held.updated_at }}' as {{ dbt.type_timestamp() }})
                {%- endif %}
            )
    {% elif is_incremental() %}
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
