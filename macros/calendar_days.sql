{#-
    One row per day from start_date to end_date inclusive (both 'YYYY-MM-DD'), in portable
    SQL: a cross join of digits gives offsets 0..9999, added with dbt.dateadd.
-#}
{% macro calendar_days(start_date, end_date) -%}
    with

    digits as (
        {% for digit in range(10) -%}
            select {{ digit }} as digit
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ),

    offsets as (
        select
            thousands.digit * 1000
            + hundreds.digit * 100
            + tens.digit * 10
            + units.digit as day_offset
        from digits as thousands
        cross join digits as hundreds
        cross join digits as tens
        cross join digits as units
    ),

    days as (
        select
            cast(
                {{ dbt.dateadd('day', 'day_offset', "cast('" ~ start_date ~ "' as date)") }}
                as date
            ) as calendar_date
        from offsets
    )

    select calendar_date
    from days
    where calendar_date <= cast('{{ end_date }}' as date)
{%- endmacro %}
