-- Reconciliation of the incremental fact with its source, record by record and column by
-- column. A record missing from the fact, one the source no longer holds (deleted at
-- source: rebuild with --full-refresh), or one whose current version differs from the
-- fact's row (a change the incremental run did not pick up, such as one without a later
-- record_updated_at, or a published row edited since) is a row here.
-- The whole fact is compared with the current versions of every record: in a full build,
-- those found afresh from every source row (int_probation__appointment_history, a view over
-- the whole history); in a build that adds deliveries to a published warehouse
-- (macros/changed_after_date.sql), those of the incremental history table. First month by
-- month, each month's records by their count and the sum of a hash of every compared
-- column (macros/tests/fingerprint_sum.sql; a query run before the test), then record by
-- record in the months whose fingerprints differ. A join of every record took 15.8 s of a
-- london build and, in a full build at `national` from a published warehouse, spilled
-- past the 8 GiB DuckDB was allowed and failed the build.
-- A build that adds deliveries also compares:
-- - the records the new deliveries sent with their current versions found afresh from the
--   staging rows;
-- - every version the history table holds with every source row, by their count and the
--   sum of a hash of each one's key (record and delivery): a version missing from the
--   history, or one the source no longer holds (a record deleted at source), is a row.
--   With the two comparisons above, this also finds a record missing from the fact or
--   one the source no longer holds. It replaced a count of the source's distinct records,
--   which reads and groups every source row's key (1.3 s of a `london` delivery's 2.8 s
--   for this test; the hash sums take 0.2 s each).
-- Reads several models: the orchestrator shows it as a check on fct_probation_appointments.
-- depends_on: {{ ref('stg_probation__appointments') }}
-- depends_on: {{ ref('fct_probation_appointment_history') }}
-- dbt's build holds the person-months back until this test ends (they descend from every
-- model it reads). Kept so: at `national`, building them beside it ran DuckDB out of memory
-- (2.8 of 2.7 GiB) in the 9th delivery of the benchmark's series (2026-12-07).
{{ config(meta={'dagster': {'ref': {'name': 'fct_probation_appointments'}}}) }}
{%- set changed_after = changed_after_date() %}

{%- set columns = ['person_pseudo_id', 'provider_code', 'officer_id', 'borough_code',
                   'contact_type_code', 'appointment_date', 'outcome_code',
                   'record_updated_at'] %}
{%- set versioned_columns = columns + ['valid_from_date'] %}
{%- set month_key = "coalesce(cast(" ~ dbt.date_trunc('month', 'appointment_date') ~ " as "
    ~ dbt.type_string() ~ "), 'none')" %}

{#- The current version of every record, which the fact must hold. -#}
{%- if changed_after %}
    {%- set compared = 'fact_vs_history' %}
    {%- set current_versions = "(select * from " ~ ref('fct_probation_appointment_history')
        ~ " where is_current)" %}
{%- else %}
    {%- set compared = 'fact_vs_source' %}
    {%- set current_versions = "(select * from " ~ ref('int_probation__appointment_history')
        ~ " where valid_to_date is null)" %}
{%- endif %}

{#- The months whose records differ between the fact and the current versions, found by
    fingerprint before the test runs, as quoted literals (none while the fact is not built:
    a compile of the project, such as the SQL linter's, on an empty file). -#}
{%- set differing_months = [] %}
{%- if execute and load_relation(ref('fct_probation_appointments')) is not none %}
    {%- set fingerprints_sql %}
        with
        fact_months as (
            select
                {{ month_key }} as month_key,
                count(*) as records,
                {{ fingerprint_sum(['appointment_id'] + versioned_columns) }} as fingerprint
            from {{ ref('fct_probation_appointments') }}
            group by {{ month_key }}
        ),
        current_months as (
            select
                {{ month_key }} as month_key,
                count(*) as records,
                {{ fingerprint_sum(['appointment_id'] + versioned_columns) }} as fingerprint
            from {{ current_versions }} as current_versions
            group by {{ month_key }}
        )
        select coalesce(fact_months.month_key, current_months.month_key) as month_key
        from fact_months
        full outer join current_months
            on fact_months.month_key = current_months.month_key
        where
            fact_months.month_key is null
            or current_months.month_key is null
            or fact_months.records != current_months.records
            or fact_months.fingerprint != current_months.fingerprint
    {%- endset %}
    {%- for month in run_query(fingerprints_sql).columns[0].values() %}
        {%- do differing_months.append("'" ~ month ~ "'") %}
    {%- endfor %}
{%- endif %}

with

-- Read by several of the checks below, never stored as a whole (macros/inline_cte.sql).
fact_appointments as {{ inline_cte() }} (
    select * from {{ ref('fct_probation_appointments') }}
),

{%- if differing_months %}

    fact_in_differing_months as (
        select * from fact_appointments
        where {{ month_key }} in ({{ differing_months | join(', ') }})
    ),

    current_in_differing_months as (
        select * from {{ current_versions }} as current_versions
        where {{ month_key }} in ({{ differing_months | join(', ') }})
    ),
{%- endif %}

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

    delivered_current as (
        select * from delivered
        where version_rank = 1
    ),

    delivered_facts as (
        select * from fact_appointments
        where valid_from_date > cast('{{ changed_after }}' as date)
    ),

    history_versions as (
        select
            count(*) as versions,
            {{ fingerprint_sum(['appointment_id', 'valid_from_date']) }} as fingerprint
        from {{ ref('fct_probation_appointment_history') }}
    ),

    source_versions as (
        select
            count(*) as versions,
            {{ fingerprint_sum(['appointment_id', 'delivery_date']) }} as fingerprint
        from {{ ref('stg_probation__appointments') }}
    ),

{% endif %}

differences as (
    {%- if differing_months %}
        {{ differing_records(compared, 'current_in_differing_months', 'fact_in_differing_months', versioned_columns) }}
        {%- if changed_after %}
            union all
        {%- endif %}
    {%- endif %}
    {%- if changed_after %}
        {{ differing_records('delivered_vs_staging', 'delivered_current', 'delivered_facts', columns) }}
        union all
        select
            'history_versions_vs_source_rows' as failed_check,
            cast(null as {{ dbt.type_string() }}) as source_appointment_id,
            cast(null as {{ dbt.type_string() }}) as fact_appointment_id,
            history_versions.versions as fact_rows,
            source_versions.versions as source_rows
        from history_versions
        cross join source_versions
        where
            history_versions.versions != source_versions.versions
            or history_versions.fingerprint != source_versions.fingerprint
    {%- elif not differing_months %}
        -- Every month's fingerprint matched: no record differs.
        select
            cast(null as {{ dbt.type_string() }}) as failed_check,
            cast(null as {{ dbt.type_string() }}) as source_appointment_id,
            cast(null as {{ dbt.type_string() }}) as fact_appointment_id,
            cast(null as {{ dbt.type_bigint() }}) as fact_rows,
            cast(null as {{ dbt.type_bigint() }}) as source_rows
        from fact_appointments
        where 1 = 0
    {%- endif %}
)

select * from differences
