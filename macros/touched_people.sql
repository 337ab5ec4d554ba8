{#-
    The people whose appointments the deliveries after changed_after touched: a version of
    theirs that those deliveries sent or closed (a correction that moves an appointment to
    another person touches both). fct_probation_person_months rebuilds their months only,
    and its row-level tests read their rows only (macros/tests/get_where_subquery.sql, which
    passes the history's relation name as ``history``).
-#}
{% macro touched_people(changed_after, history=none) -%}
    select distinct touched.person_pseudo_id
    from {{ history or ref('fct_probation_appointment_history') }} as touched
    where
        touched.valid_from_date > cast('{{ changed_after }}' as date)
        or touched.valid_to_date > cast('{{ changed_after }}' as date)
{%- endmacro %}

{#-
    The pre-hook of fct_probation_person_months (rendered when it runs, inside the model's
    transaction): every row of the touched people is deleted before their months are
    rebuilt. delete+insert alone deletes only the people it inserts, so a touched person
    left with no appointment would keep their old rows. Deleting all touched people first
    needs no anti-join against the whole fact: a post-hook deleting "touched and not in the
    fact" hashed all 50 million appointments' people at `national` and ran out of memory
    inside the build's transaction (alone, with the same 3 GB, it passed).
    The rows it deletes are first kept, stamped with this dbt invocation, in
    replaced_person_months(): int_probation__engagement_counts subtracts what they counted
    and adds what the touched people's new rows count, rather than counting every person
    again, and then drops them. Nothing to do in any other run.
-#}
{% macro delete_touched_people() -%}
    {%- set changed_after = changed_after_date() -%}
    {%- if is_incremental() and changed_after -%}
        {%- set replaced = replaced_person_months(this) -%}
        create table if not exists {{ replaced }} as
        select cast('' as {{ dbt.type_string() }}) as dbt_invocation_id, *
        from {{ this }}
        where 1 = 0;
        insert into {{ replaced }}
        select '{{ invocation_id }}' as dbt_invocation_id, *
        from {{ this }}
        where person_pseudo_id in ({{ touched_people(changed_after) }});
        delete from {{ this }}
        where person_pseudo_id in ({{ touched_people(changed_after) }})
    {%- endif -%}
{%- endmacro %}

{#-
    Where the pre-hook above keeps the person-months it replaces: beside the person-months
    (``person_months``, their relation), named after them. A build that adds deliveries
    writes it and int_probation__engagement_counts drops it in the same dbt invocation, so
    a published warehouse never holds it. Rows stamped with another invocation are ones
    whose change no engagement count took in: the counts are then counted again whole.
-#}
{% macro replaced_person_months(person_months) -%}
    {#- A relation of its own, not person_months' (a ref under `dbt build --empty` renders as a
        subquery). -#}
    {{ return(api.Relation.create(
        database=person_months.database,
        schema=person_months.schema,
        identifier=person_months.identifier ~ '__replaced',
    )) }}
{%- endmacro %}

{#-
    Whether int_probation__engagement_counts can take in this build's change rather than
    count everyone again: a build that adds deliveries, on DuckDB, with the counts already
    built and the replaced person-months kept by this dbt invocation only (a row stamped
    with another one is a change no count took in). ``replaced``: replaced_person_months().
    Read at execution, from the catalog (dbt's relation cache predates the pre-hook).
-#}
{% macro engagement_counts_by_delta(replaced) -%}
    {%- if not execute or target.type == 'spark' or not changed_after_date() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if load_relation(this) is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_catalog = '"
        ~ replaced.database ~ "' and table_schema = '" ~ replaced.schema ~ "' and table_name = '" ~ replaced.identifier ~ "'"
    ).columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set foreign = run_query(
        "select count(*) from " ~ replaced ~ " where dbt_invocation_id <> '" ~ invocation_id ~ "'"
    ).columns[0].values()[0] -%}
    {{ return(foreign == 0) }}
{%- endmacro %}

{#- The post-hook of int_probation__engagement_counts: the replaced person-months are used. -#}
{% macro drop_replaced_person_months() -%}
    {%- if target.type != 'spark' -%}
        drop table if exists {{ replaced_person_months(ref('fct_probation_person_months')) }}
    {%- endif -%}
{%- endmacro %}
