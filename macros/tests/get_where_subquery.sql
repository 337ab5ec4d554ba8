{#-
    The relation a generic data test reads (dbt calls this macro for every one: it overrides
    dbt's own, which applies the `where` config alone).

    A build that adds deliveries to a published warehouse knows the last delivery that
    warehouse held (macros/changed_after_date.sql). A row-level test (one judging each row
    by itself: the names below) then reads only the rows this build changed: those its new
    deliveries sent (delivery_date, or valid_from_date in a history, after that date) and
    the versions they closed (valid_to_date after it). Every earlier row passed the same
    tests when it was published and is as it was: the gate refuses a delivery older than the
    last one loaded, and after a change of the project the changed models and everything
    downstream are rebuilt by a run with no changed-after date, in which their tests read
    whole tables (or the build is a full one: build/steps.py).

    `unique` reads every row whose key is a key of a changed row, so a duplicate of a
    changed row is found wherever the other copy is, old or new; two old rows cannot share
    a key, as the build wrote neither (at `national`, the query over 50 million
    appointments took 5.5 s whole and 1.5 s on one delivery's 247,587 keys).
    fct_probation_person_months carries no delivery columns: a build rebuilds every row of
    the people its deliveries touched (macros/touched_people.sql), so its changed rows are
    those people's rows (its meta `changed_rows: touched_people`). Every key of that table
    holds the person, so unique_combination_of_columns reads those rows too: a duplicate
    can only be of the same person (at `national`, 0.8 s against 3.7 s for 18.5 million
    rows). unique_combination_of_columns elsewhere, the singular reconciliations and
    relations without delivery columns always read everything. Which rows a model's
    deliveries changed is macros/changed_rows.sql's rule, which the GX suites read too.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set changed_after = changed_after_date() -%}
    {%- set row_level_tests = ['not_null', 'accepted_values', 'relationships',
                               'expression_is_true', 'not_negative'] -%}
    {%- set tested = graph.nodes.get(model.attached_node) if changed_after else none -%}
    {%- if changed_after and model.test_metadata.name in row_level_tests -%}
        {%- do conditions.append(changed_rows_condition(tested, changed_after)) -%}
    {%- elif changed_after and model.test_metadata.name == 'unique_combination_of_columns'
            and 'person_pseudo_id' in model.test_metadata.kwargs.combination_of_columns
            and changed_rows_rule(tested) == 'touched_people' -%}
        {%- do conditions.append(changed_rows_condition(tested, changed_after)) -%}
    {%- elif changed_after and model.test_metadata.name == 'unique' -%}
        {%- set changed = changed_rows_condition(tested, changed_after) -%}
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
