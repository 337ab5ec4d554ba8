{#- Fails with every row for which the boolean expression is not true (null counts as false). -#}
{% test expression_is_true(model, expression, where_clause=none, column_name=none) %}

    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
    {% if where_clause %}and ({{ where_clause }}){% endif %}

{% endtest %}
