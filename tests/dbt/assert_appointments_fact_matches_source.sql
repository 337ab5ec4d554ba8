-- Reconciliation of the incremental fact: it holds exactly the current version of every
-- appointment the source tables hold (int_probation__appointment_history), record by
-- record and column by column. A record missing from the fact, one the source no longer
-- holds (deleted at source: rebuild with --full-refresh), or one whose current version
-- differs from the fact's row (a change the incremental run did not pick up, such as one
-- without a later record_updated_at) is a row here.
-- Reads several models: the orchestrator shows it as a check on fct_probation_appointments.
{{ config(meta={'dagster': {'ref': {'name': 'fct_probation_appointments'}}}) }}

{%- set columns = ['person_pseudo_id', 'provider_code', 'officer_id', 'borough_code',
                   'contact_type_code', 'appointment_date', 'outcome_code',
                   'record_updated_at'] %}

with

source_appointments as (
    select * from {{ ref('int_probation__appointment_history') }}
    where valid_to_date is null
),

fact_appointments as (
    select * from {{ ref('fct_probation_appointments') }}
),

compared as (
    select
        source_appointments.appointment_id as source_appointment_id,
        fact_appointments.appointment_id as fact_appointment_id,
        {%- for column in columns %}
            coalesce(
                source_appointments.{{ column }} = fact_appointments.{{ column }},
                source_appointments.{{ column }} is null and fact_appointments.{{ column }} is null
            ) as is_{{ column }}_same,
        {%- endfor %}
        1 as compared_columns_end
    from source_appointments
    full outer join fact_appointments
        on source_appointments.appointment_id = fact_appointments.appointment_id
)

select * from compared
where
    source_appointment_id is null
    or fact_appointment_id is null
    {%- for column in columns %}
        or not is_{{ column }}_same
    {%- endfor %}
