{#-
    Status history keyed by delivery date (SCD type 2). The source tables hold one row per
    version of a record, stamped with the delivery that first sent it (the extract gate adds
    a version only when a delivered row differs from the record's current one). A version is
    valid from its delivery date until the delivery date of the record's next version
    (exclusive); the current version has no end. As at a date D a record reads the version
    with valid_from_date <= D < valid_to_date (or no valid_to_date).

    relation: a CTE with key and delivery_date. Renders a select to use as a CTE body.
-#}
{% macro delivery_history(relation, key) -%}
    select
        {{ relation }}.*,
        {{ relation }}.delivery_date as valid_from_date,
        lead({{ relation }}.delivery_date) over (
            partition by {{ relation }}.{{ key }}
            order by {{ relation }}.delivery_date
        ) as valid_to_date
    from {{ relation }}
{%- endmacro %}

{#- True when a history row (valid_from_date, valid_to_date) is the version as at as_at. -#}
{% macro is_valid_at(history, as_at) -%}
    (
        {{ history }}.valid_from_date <= {{ as_at }}
        and ({{ history }}.valid_to_date is null or {{ history }}.valid_to_date > {{ as_at }})
    )
{%- endmacro %}

{#-
    The delivery date of each row of a source: its delivery_date column when the extract
    gate loaded it, else the date of the bundled delivery (var bundled_delivery_date) for a
    source without the column (the bundled seeds that fill it in development and on Spark).
-#}
{% macro delivery_date_of(relation) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do names.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if 'delivery_date' in names -%}
        cast(delivery_date as date)
    {%- else -%}
        cast('{{ var("bundled_delivery_date") }}' as date)
    {%- endif -%}
{%- endmacro %}
