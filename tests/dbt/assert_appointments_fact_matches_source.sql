-- Reconciliation of the incremental fact: it holds exactly the current version of every
-- appointment the source tables hold (int_probation__appointment_history), record by
-- record and column by column. A record missing from the fact, one the source no longer
-- holds (deleted at source: rebuild with --full-refresh), or one whose current version
-- differs from the fact's row (a change the incremental run did not pick up, such as one
-- without a later record_updated_at) is a row here.
-- A build that adds deliveries to a published warehouse (macros/changed_after_date.sql)
-- compares the records those deliveries sent, record by record, each current version found
-- afresh from the staging rows, and the whole fact by its count of records: the incremental
-- run deletes and inserts only the records a new delivery sent, so every other row is the
-- one published.
-- Reads several models: the orchestrator shows it as a check on fct_probation_appointments.
-- depends_on: {{ ref('stg_probation__appointments') }}
{{ config(meta={'dagster': {'ref': {'name': 'fct_probation_appointments'}}}) }}
{%- set changed_after = changed_after_date() %}

{%- set columns = ['person_pseudo_id', 'provider_code', 'officer_id', 'borough_code',
                   'contact_type_code', 'appointment_date', 'outcome_code',
                   'record_updated_at'] %}

with

{% if changed_after %}

    delivered as (
        select
            *,
            row_number() over (
                partition by appointment_id order by delivery_date desc
            ) as version_rank
        from {{ ref('stg_probation__appointments') }}
        where delivery_date > cast('{{ changed_after }}' as date)
    ),

    source_appointments as (
        select * from delivered
        where version_rank = 1
    ),

    fact_appointments as (
        select * from {{ ref('fct_probation_appointments') }}
        where valid_from_date > cast('{{ changed_after }}' as date)
    ),

    record_counts as (
        select
            (select count(*) from {{ ref('fct_probation_appointments') }}) as fact_records,
            (
                select count(distinct appointment_id)
                from {{ ref('stg_probation__appointments') }}
            ) as source_records
    ),

{% else %}

    source_appointments as (
        select * from {{ ref('int_probation__appointment_history') }}
        where valid_to_date is null
    ),

    fact_appointments as (
        select * from {{ ref('fct_probation_appointments') }}
    ),

{% endif %}

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
),

differences as (
    select
        source_appointment_id,
        fact_appointment_id,
        cast(null as {{ dbt.type_bigint() }}) as fact_records,
        cast(null as {{ dbt.type_bigint() }}) as source_records
    from compared
    where
        source_appointment_id is null
        or fact_appointment_id is null
        {%- for column in columns %}
            or not is_{{ column }}_same
        {%- endfor %}
    {%- if changed_after %}
        union all
        select
            cast(null as {{ dbt.type_string() }}) as source_appointment_id,
            cast(null as {{ dbt.type_string() }}) as fact_appointment_id,
            fact_records,
            source_records
        from record_counts
        where fact_records != source_records
    {%- endif %}
)

select * from differences
