{#-
    For funnels: fails with every row in which a column is larger than the one before it,
    so each stage holds no more cases than the stage above it.
-#}
{% test columns_non_increasing(model, columns) %}

    select *
    from {{ model }}
    where
        {% for column in columns[1:] -%}
            {{ column }} > {{ columns[loop.index0] }}
            {% if not loop.last %}or {% endif %}
        {%- endfor %}

{% endtest %}
