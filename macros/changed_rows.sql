{#-
    The rows of a model that the deliveries after changed_after sent or closed: the one rule
    that both the build's row-level dbt tests (macros/tests/get_where_subquery.sql) and its
    GX suites (check/suites.py, through record_changed_rows below) use to judge a delivery's
    batch. Read from the columns the model's YAML documents (every column is documented:
    one lookup in dbt's graph, not a query per test): a history's versions sent or closed
    after it (valid_from_date or valid_to_date), a current table's versions sent after it
    (valid_from_date), a staging model's rows (delivery_date); fct_probation_person_months
    names its own rule in its meta (`changed_rows: touched_people`). None when the model
    carries no delivery dates (its tests read every row, as they would if a column were left
    undocumented).

    node: the model's node in dbt's graph (graph.nodes[unique_id]), or none.
-#}
{% macro changed_rows_condition(node, changed_after) -%}
    {%- set names = (node.columns.keys() | map('lower') | list) if node else [] -%}
    {%- set after = "cast('" ~ changed_after ~ "' as date)" -%}
    {%- if changed_rows_rule(node) == 'touched_people' -%}
        {#- The history by its relation name, not ref(): dbt records a test's refs when it
            parses it, and no delivery build is under way then. -#}
        {%- set history = graph.nodes['model.justice_warehouse.fct_probation_appointment_history'] -%}
        {%- do return('person_pseudo_id in (' ~ touched_people(changed_after, history.relation_name) ~ ')') -%}
    {%- elif 'valid_from_date' in names and 'valid_to_date' in names -%}
        {%- do return('(valid_from_date > ' ~ after ~ ' or valid_to_date > ' ~ after ~ ')') -%}
    {%- elif 'valid_from_date' in names -%}
        {%- do return('valid_from_date > ' ~ after) -%}
    {%- elif 'delivery_date' in names -%}
        {%- do return('delivery_date > ' ~ after) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}

{#- The model's own rule for its changed rows (its meta `changed_rows`), if any. -#}
{% macro changed_rows_rule(node) -%}
    {%- do return(node.config.meta.get('changed_rows') if node else none) -%}
{%- endmacro %}

{#-
    on-run-end: in a build that adds deliveries (macros/changed_after_date.sql), the table
    audit.changed_rows holds each mart's changed-rows condition (changed_rows_condition)
    with the changed_after it was written for, so that the build's GX suites validate the
    same batch the dbt tests judged, read from here rather than written again in Python
    (check/reference.py, read_changed_rows). Any other run drops the table, so a later
    build never reads a stale one. DuckDB only: the GX suites run on DuckDB; on Spark
    nothing is written.
-#}
{% macro record_changed_rows() -%}
    {{ return(adapter.dispatch('record_changed_rows', 'justice_warehouse')()) }}
{%- endmacro %}

{% macro default__record_changed_rows() -%}
    select 1
{%- endmacro %}

{% macro duckdb__record_changed_rows() -%}
    {%- set changed_after = changed_after_date() -%}
    {%- set rows = [] -%}
    {%- if changed_after -%}
        {%- for node in graph.nodes.values()
                if node.resource_type == 'model' and node.config.schema == 'marts' -%}
            {%- set condition = changed_rows_condition(node, changed_after) -%}
            {%- if condition -%}
                {%- do rows.append(
                    "('" ~ node.schema ~ "." ~ node.alias ~ "', '" ~ changed_after ~ "', '"
                    ~ condition | replace("'", "''") ~ "')"
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    drop table if exists audit.changed_rows;
    {%- if rows %}
    create schema if not exists audit;
    create table audit.changed_rows as
    select * from (values {{ rows | join(', ') }}) as changed (relation_name, changed_after, changed_condition);
    {%- endif %}
{%- endmacro %}
