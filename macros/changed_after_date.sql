{#-
    The last delivery the published warehouse held, when this build adds deliveries to it
    (JW_CHANGED_AFTER_DATE, set by `justice-warehouse build`: build/steps.py); '' otherwise
    (a full build, the run that rebuilds what a change of the project's SQL reaches, plain
    `dbt build`).
    Rows of later deliveries are what the build changed: the row-level data tests read only
    them (macros/tests/get_where_subquery.sql) and fct_probation_person_months rebuilds only
    the people they touch. Read only at execution, so that dbt's partial parse of the
    project is kept from build to build.
-#}
{% macro changed_after_date() -%}
    {{ return(env_var('JW_CHANGED_AFTER_DATE', '') if execute else '') }}
{%- endmacro %}
