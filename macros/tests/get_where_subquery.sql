{#-
    The relation a generic data test reads (dbt calls this macro for every one: it overrides
    dbt's own, which applies the `where` config alone).

    A build that adds deliveries to a published warehouse knows the last delivery that
    warehouse held (macros/changed_after_date.sql). A row-level test (one judging each row
    by itself: the names below) then reads only the rows this build changed: those its new
    deliveries sent (delivery_date, or valid_from_date in a history, after that date) and
    the versions they closed (valid_to_date after it). Every earlier row passed the same
    tests when it was published and is as it was: the gate refuses a delivery older than the
    last one loaded, and a build whose project changed since the published build is a full
    one, in which every test reads whole tables.

    `unique` reads every row whose key is a key of a changed row, so a duplicate of a
    changed row is found wherever the other copy is, old or new; two old rows cannot share
    a key, as the build wrote neither (at `national`, the query over 50 million
    appointments took 5.5 s whole and 1.5 s on one delivery's 247,587 keys).
    unique_combination_of_columns, the singular reconciliations and relations without
    delivery columns always read everything.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set changed_after = changed_after_date() -%}
    {%- set row_level_tests = ['not_null', 'accepted_values', 'relationships',
                               'expression_is_true', 'not_negative'] -%}
    {%- if changed_after and model.test_metadata.name in row_level_tests -%}
        {%- do conditions.append(changed_rows_condition(model, changed_after)) -%}
    {%- elif changed_after and model.test_metadata.name == 'unique' -%}
        {%- set changed = changed_rows_condition(model, changed_after) -%}
        {%- if changed -%}
            {%- set key = model.column_name -%}
            {%- do conditions.append(
                key ~ ' in (select changed.' ~ key ~ ' from ' ~ relation
                ~ ' as changed where ' ~ changed ~ ')'
            ) -%}
        {%- endif -%}
    {%- endif -%}
    {%- set conditions = conditions | reject('none') | list -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The rows of the tested model that deliveries after changed_after sent or closed, from
    the columns its YAML documents (every column is documented: one lookup in dbt's graph,
    not a query per test); none when it carries no delivery dates (a test on it reads every
    row, as it does if a column were left undocumented). -#}
{% macro changed_rows_condition(test_node, changed_after) -%}
    {%- set tested = graph.nodes.get(test_node.attached_node) -%}
    {%- set names = (tested.columns.keys() | map('lower') | list) if tested else [] -%}
    {%- set after = "cast('" ~ changed_after ~ "' as date)" -%}
    {%- if 'valid_from_date' in names and 'valid_to_date' in names -%}
        {%- do return('(valid_from_date > ' ~ after ~ ' or valid_to_date > ' ~ after ~ ')') -%}
    {%- elif 'valid_from_date' in names -%}
        {%- do return('valid_from_date > ' ~ after) -%}
    {%- elif 'delivery_date' in names -%}
        {%- do return('delivery_date > ' ~ after) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}
