{#-
    Custom schemas are used exactly as named (staging, intermediate, marts, reporting),
    without dbt's default "<target schema>_" prefix, so BI users see stable names.
    Nodes without a custom schema (the seeds) go to the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
