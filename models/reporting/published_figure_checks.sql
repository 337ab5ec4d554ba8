-- grain: one row per published figure
-- status: match when |published - computed| <= tolerance; mismatch otherwise;
-- not_computed when the warehouse cannot recompute the figure (no check_measure, or
-- no value). Conflicting figures kept for the record are not_computed and say why.
-- not_applicable replaces mismatch when var('published_figures_apply') is false: the build's
-- data is not the data the figures describe (for example a generated scale-test set).

with

figures as (
    select * from {{ ref('stg_reference__published_figures') }}
),

measures as (
    select * from {{ ref('int_published__figure_measures') }}
),

compared as (
    select
        figures.figure_id,
        figures.figure_name,
        figures.unit,
        figures.figure_kind,
        figures.period_label,
        figures.published_value,
        measures.computed_value,
        figures.tolerance,
        figures.check_measure,
        figures.source_publisher,
        figures.source_title,
        figures.source_date_text,
        figures.exact_wording,
        figures.note,
        case
            when measures.computed_value is null then 'not_computed'
            when abs(figures.published_value - measures.computed_value) <= figures.tolerance
                then 'match'
            {% if not var('published_figures_apply') %}
                else 'not_applicable'
            {% else %}
                else 'mismatch'
            {% endif %}
        end as status
    from figures
    left join measures
        on figures.figure_id = measures.figure_id
),

final as (
    select
        cast(figure_id as {{ dbt.type_string() }}) as figure_id,
        cast(figure_name as {{ dbt.type_string() }}) as figure_name,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(figure_kind as {{ dbt.type_string() }}) as figure_kind,
        cast(period_label as {{ dbt.type_string() }}) as period_label,
        cast(published_value as decimal(20, 4)) as published_value,
        cast(computed_value as decimal(20, 4)) as computed_value,
        cast(tolerance as decimal(20, 4)) as tolerance,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(check_measure as {{ dbt.type_string() }}) as check_measure,
        cast(source_publisher as {{ dbt.type_string() }}) as source_publisher,
        cast(source_title as {{ dbt.type_string() }}) as source_title,
        cast(source_date_text as {{ dbt.type_string() }}) as source_date_text,
        cast(exact_wording as {{ dbt.type_string() }}) as exact_wording,
        cast(note as {{ dbt.type_string() }}) as note
    from compared
)

select * from final
