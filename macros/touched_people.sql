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
    inside the build's transaction (alone, with the same 3 GB, it passed). Nothing to do in
    any other run.
-#}
{% macro delete_touched_people() -%}
    {%- set changed_after = changed_after_date() -%}
    {%- if is_incremental() and changed_after -%}
        delete from {{ this }}
        where person_pseudo_id in ({{ touched_people(changed_after) }})
    {%- endif -%}
{%- endmacro %}
