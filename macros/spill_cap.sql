{#-
    on-run-start: DuckDB's cap on what a query may spill to disk (max_temp_directory_size),
    from JW_DUCKDB_MAX_TEMP_SIZE, which `justice-warehouse build` sets from the free space it
    measured (operate/space.py), so a spilling query fails the build rather than filling
    the disk. It is set here, once per dbt invocation, rather than in the profile: dbt parses
    the whole project again whenever a value the profile reads changes (2.9 s here), and this
    one follows the free disk from build to build. The variable is read only when the hook
    runs (execute), so dbt does not record it as one the project's parse depends on.
    Unset: DuckDB's default (90% of the free disk). Nothing on Spark.
-#}
{% macro set_spill_cap() -%}
    {%- set cap = env_var('JW_DUCKDB_MAX_TEMP_SIZE', '') if execute else '' -%}
    {%- if target.type == 'duckdb' and cap -%}
        set global max_temp_directory_size = '{{ cap }}'
    {%- endif -%}
{%- endmacro %}
