-- depends_on: {{ ref("int_probation__appointments_classified") }}
-- depends_on: {{ ref("stg_probation__appointments") }}
-- depends_on: {{ ref("stg_reference__appointment_outcome_codes") }}
-- grain: one row per version of a probation appointment record: its state from
-- valid_from_date (the delivery that sent it) until valid_to_date (the next delivery that
-- changed it; null for the current version). (SYNTHETIC row-level data.)
-- The one place appointments are classified and dated into months: the current fact
-- (fct_probation_appointments) is this table's current versions, so a build pseudonymises
-- and classifies each appointment once.
-- Incremental by delivery: a build adds the versions of the deliveries this table does not
-- hold yet and closes the current versions they replace (valid_to_date: the first new
-- version's delivery date). Earlier versions never change, since a delivery older than the
-- last one loaded is refused by the gate (--replay rebuilds from scratch). DuckDB
-- deletes and re-inserts those versions (delete+insert keyed on record and delivery); on
-- Spark, without Delta's merge, the table is rebuilt whole each build. A source without
-- delivery dates (the bundled seeds in development, replaced in place) sends every row
-- again, as a full build would; a record deleted at source needs --full-refresh.
{%- set last_loaded = none -%}
{%- set appointments_source = source('probation', 'probation_appointments') -%}
{%- if is_incremental() and execute and has_delivery_dates(appointments_source) -%}
    {#- The newest delivery already held, read before the model runs so that the filter
        below is a literal DuckDB pushes under the pseudonymisation of every older row. -#}
    {%- set last_loaded_sql -%}
        select cast(max(loaded.valid_from_date) as {{ dbt.type_string() }}) from {{ this }} as loaded
    {%- endset -%}
    {%- set last_loaded = run_query(last_loaded_sql).columns[0].values()[0] -%}
{%- endif %}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key=['appointment_id', 'valid_from_date'],
    on_schema_change='fail',
) }}

with

{% if last_loaded %}

    -- only the rows of the deliveries not held yet: their history among themselves (no
    -- held version is later than them), classified by the one rule
    delivered as (
        select * from {{ ref('stg_probation__appointments') }}
        where delivery_date > cast('{{ last_loaded[:10] }}' as date)
    ),

    delivered_history as (
        {{ delivery_history('delivered', 'appointment_id') }}
    ),

    outcome_codes as (
        select * from {{ ref('stg_reference__appointment_outcome_codes') }}
    ),

    appointments as (
        {{ classify_appointments('delivered_history', 'outcome_codes') }}
    ),

{% else %}

    appointments as (
        select * from {{ ref('int_probation__appointments_classified') }}
    ),

{% endif %}

calendar as (
    select * from {{ ref('int_calendar__days') }}
),

new_versions as (
    select
        appointments.appointment_id,
        appointments.valid_from_date,
        appointments.valid_to_date,
        appointments.valid_to_date is null as is_current,
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
),

{% if is_incremental() %}

    replacements as (
        select
            appointment_id,
            min(valid_from_date) as valid_to_date
        from new_versions
        group by appointment_id
    ),

    -- the held current versions that this build's deliveries replace, now closed (the
    -- semi-join first, so that the held table is probed, never hashed whole)
    closed_versions as (
        select
            loaded.appointment_id,
            loaded.valid_from_date,
            replacements.valid_to_date,
            false as is_current,
            loaded.person_pseudo_id,
            loaded.provider_code,
            loaded.officer_id,
            loaded.borough_code,
            loaded.contact_type_code,
            loaded.appointment_date,
            loaded.appointment_month_date,
            loaded.appointment_financial_year,
            loaded.outcome_code,
            loaded.outcome_category,
            loaded.is_known_outcome,
            loaded.is_attended,
            loaded.is_complied_or_acceptable,
            loaded.is_acceptable_absence,
            loaded.is_unacceptable_absence,
            loaded.is_rescheduled,
            loaded.record_updated_at
        from {{ this }} as loaded
        inner join replacements
            on
                loaded.appointment_id = replacements.appointment_id
                and loaded.valid_from_date < replacements.valid_to_date
        where
            loaded.is_current
            and loaded.appointment_id in (select replaced.appointment_id from replacements as replaced)
    ),

{% endif %}

versions as (
    select * from new_versions
    {%- if is_incremental() %}
        union all
        select * from closed_versions
    {%- endif %}
)

select * from versions
