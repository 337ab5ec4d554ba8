{#-
    An as-at table (one slice of rows per delivery date, as_at_date) adds the slices of the
    deliveries a build brings and leaves earlier slices as they were: an earlier slice reads
    each record in its version valid at that date, which a later delivery cannot change (it
    adds versions from its own date and closes earlier ones at it). The table is incremental
    by slice: delete+insert on as_at_date on DuckDB; on Spark, a Parquet table partitioned by
    as_at_date whose new slices' partitions are written by insert_overwrite (Spark's dynamic
    partition overwrite leaves every other partition's files as they were). --full-refresh
    and --replay rebuild every slice.

    as_at_slices_config() is the model's config; as_at_slices_to_build(column) the condition
    on a delivery date that keeps the slices to build: every slice in a full build; the
    slices after the last delivery the published warehouse held when a build adds deliveries
    to it (macros/changed_after_date.sql); otherwise (a plain incremental `dbt build`, whose
    source may change without a new delivery date, such as the bundled seeds) the latest
    slice held and any later one.
-#}
{% macro as_at_slices_config() -%}
    {%- if target.type == 'spark' -%}
        {{ config(
            materialized='incremental',
            incremental_strategy='insert_overwrite',
            file_format='parquet',
            partition_by=['as_at_date'],
            on_schema_change='fail',
        ) }}
    {%- else -%}
        {{ config(
            materialized='incremental',
            incremental_strategy='delete+insert',
            unique_key='as_at_date',
            on_schema_change='fail',
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro as_at_slices_to_build(column) -%}
    {%- set changed_after = changed_after_date() -%}
    {%- if not is_incremental() -%}
        1 = 1
    {%- elif changed_after -%}
        {{ column }} > cast('{{ changed_after }}' as date)
    {%- else -%}
        {{ column }} >= (select max(held.as_at_date) from {{ this }} as held)
    {%- endif -%}
{%- endmacro %}
