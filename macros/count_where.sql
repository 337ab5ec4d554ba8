{#-
    Portable conditional count, always bigint (a bare sum of integers is HUGEINT on
    DuckDB and bigint on Spark; the explicit cast keeps contracts identical).
-#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}
