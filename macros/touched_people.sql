{#-
    The people whose appointments the deliveries after changed_after touched: a version of
    theirs that those deliveries sent or closed (a correction that moves an appointment to
    another person touches both). fct_probation_person_months rebuilds their months only.
-#}
{% macro touched_people(changed_after) -%}
    select distinct touched.person_pseudo_id
    from {{ ref('fct_probation_appointment_history') }} as touched
    where
        touched.valid_from_date > cast('{{ changed_after }}' as date)
        or touched.valid_to_date > cast('{{ changed_after }}' as date)
{%- endmacro %}

{#-
    The post-hook of fct_probation_person_months (rendered when it runs): a touched person
    left with no appointment has no row in the rebuilt months, so delete+insert (which
    deletes the keys it inserts) would keep their old rows; this deletes them. Nothing to do
    in any other run.
-#}
{% macro remove_people_without_appointments() -%}
    {%- set changed_after = changed_after_date() -%}
    {%- if is_incremental() and changed_after -%}
        delete from {{ this }}
        where
            person_pseudo_id in ({{ touched_people(changed_after) }})
            and person_pseudo_id not in (
                select current_fact.person_pseudo_id
                from {{ ref('fct_probation_appointments') }} as current_fact
            )
    {%- endif -%}
{%- endmacro %}
