{#-
    The keyword that makes an engine plan a CTE into each query that reads it, written
    between `as` and the CTE's parenthesis (`name as {{ inline_cte() }} (`), for an import
    CTE over a large table that several parts of one query read. DuckDB computes a CTE read
    more than once a single time and keeps its rows; in int_probation__engagement_suppressed
    (four aggregations of the person-months) that held all 18.5 million person-months at
    `national` in the build's 3 GB and spilled: 18.5 s for the model, against 12.0 s when each
    aggregation scans the table itself. Spark plans a CTE as a subquery at each reference
    already, so elsewhere this renders nothing.
-#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'justice_warehouse')()) }}
{%- endmacro %}

{% macro default__inline_cte() -%}{%- endmacro %}

{% macro duckdb__inline_cte() -%}
    not materialized
{%- endmacro %}
