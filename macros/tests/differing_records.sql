{#-
    The records of two relations, a source and a fact keyed by appointment_id, that differ:
    a record missing from either, or any of columns (null equal to null). One row each,
    labelled check, in the shape of assert_appointments_fact_matches_source's failing rows.
-#}
{% macro differing_records(check, source, fact, columns) -%}
    select
        '{{ check }}' as failed_check,
        {{ source }}.appointment_id as source_appointment_id,
        {{ fact }}.appointment_id as fact_appointment_id,
        cast(null as {{ dbt.type_bigint() }}) as fact_rows,
        cast(null as {{ dbt.type_bigint() }}) as source_rows
    from {{ source }}
    full outer join {{ fact }}
        on {{ source }}.appointment_id = {{ fact }}.appointment_id
    where
        {{ source }}.appointment_id is null
        or {{ fact }}.appointment_id is null
        {%- for column in columns %}
            or not coalesce(
                {{ source }}.{{ column }} = {{ fact }}.{{ column }},
                {{ source }}.{{ column }} is null and {{ fact }}.{{ column }} is null
            )
        {%- endfor %}
{%- endmacro %}
