{#-
    Status history keyed by delivery date (SCD type 2). The source tables hold one row per
    version of a record, stamped with the delivery that first sent it (the extract gate adds
    a version only when a delivered row differs from the record's current one). A version is
    valid from its delivery date until the delivery date of the record's next version
    (exclusive); the current version has no end. As at a date D a record reads the version
    with valid_from_date <= D < valid_to_date (or no valid_to_date).

    The next version is found by joining each version to the versions sent after the first
    delivery (a record's first version is never another's next one), not by a window over
    every row: those later versions are the changes, few beside the records, so the join
    builds a small hash table instead of sorting every row by key (measured: a window
    over 10M appointments took most of the build).

    relation: the model (a ref) or CTE with key and delivery_date; pass a staging model
    itself rather than an import CTE of it. DuckDB computes a CTE used more than once once,
    whole, so a filter on the history (an incremental model asking for the versions of one
    delivery) cannot reach the scan: at `national` the referral history's new versions took
    7.8-10.8 s through a CTE (the staging view's sha256 pseudonyms computed for all 5.2 M
    versions) and 0.7 s from the model itself; reading the whole history took 3.7 s and
    3.2 s. Renders a select to use as a CTE body.
-#}
{% macro delivery_history(relation, key) -%}
    select
        versions.*,
        versions.delivery_date as valid_from_date,
        next_versions.valid_to_date
    from {{ relation }} as versions
    left join (
        select
            earlier.{{ key }},
            earlier.delivery_date,
            min(later.delivery_date) as valid_to_date
        from {{ relation }} as earlier
        inner join (
            select
                {{ key }},
                delivery_date
            from {{ relation }}
            where delivery_date > (select min(first_sent.delivery_date) from {{ relation }} as first_sent)
        ) as later
            on
                earlier.{{ key }} = later.{{ key }}
                and earlier.delivery_date < later.delivery_date
        group by
            earlier.{{ key }},
            earlier.delivery_date
    ) as next_versions
        on
            versions.{{ key }} = next_versions.{{ key }}
            and versions.delivery_date = next_versions.delivery_date
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
    {%- if has_delivery_dates(relation) -%}
        cast(delivery_date as date)
    {%- else -%}
        cast('{{ var("bundled_delivery_date") }}' as date)
    {%- endif -%}
{%- endmacro %}

{#-
    True when a source's rows carry the delivery that sent them (the extract gate's versions
    by delivery), false for a source without the column (the bundled seeds in development
    and on Spark, whose rows are replaced in place) and at parse time.
-#}
{% macro has_delivery_dates(relation) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do names.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('delivery_date' in names) }}
{%- endmacro %}
