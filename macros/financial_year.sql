{#-
    UK public-sector financial year of a date: 1 April to 31 March.
    financial_year_start_year(d) is the calendar year in which that financial year starts;
    financial_year_label(d) renders it as 'YYYY-YY' (2017-04-01 -> '2017-18').
-#}
{% macro financial_year_start_year(date_expression) -%}
    (
        extract(year from {{ date_expression }})
        - case when extract(month from {{ date_expression }}) < 4 then 1 else 0 end
    )
{%- endmacro %}

{% macro financial_year_label(date_expression) -%}
    {%- set start_year = financial_year_start_year(date_expression) -%}
    {{ dbt.concat([
        "cast(" ~ start_year ~ " as " ~ dbt.type_string() ~ ")",
        "'-'",
        dbt.right("cast(" ~ start_year ~ " + 1 as " ~ dbt.type_string() ~ ")", "2"),
    ]) }}
{%- endmacro %}

{#- The first day (1 April) of the financial year a date falls in. -#}
{% macro financial_year_start_date(date_expression) -%}
    {%- set start_year = financial_year_start_year(date_expression) -%}
    cast({{ dbt.concat([
        "cast(" ~ start_year ~ " as " ~ dbt.type_string() ~ ")",
        "'-04-01'",
    ]) }} as date)
{%- endmacro %}
