-- grain: one row per published figure
-- Every published figure beside the warehouse's value and what kind of evidence the
-- comparison is (check_kind, from the check_kinds seed). status:
--   * the kind's status_when_equal (match; no_evidence for a copied figure, which is equal
--     by construction) when |published - computed| <= tolerance;
--   * mismatch otherwise, or not_applicable when var('published_figures_apply') is false
--     (the build's data is not the data the figures describe, for example a scale-test set);
--   * not_computed when the warehouse holds no value for the figure.
-- A calibrated figure (the synthetic generator targets it) reads row_level when the input
-- is not the bundled synthetic data (var('input_is_bundled_synthetic') false).

with

figures as (
    select * from {{ ref('dim_published_figure') }}
),

measures as (
    select * from {{ ref('fct_published_figure_values') }}
),

check_kinds as (
    select * from {{ ref('dim_check_kind') }}
),

kinded as (
    select
        figures.*,
        {% if var('input_is_bundled_synthetic') %}
            figures.check_kind as effective_check_kind
        {% else %}
            case
                when figures.check_kind = 'calibrated' then 'row_level'
                else figures.check_kind
            end as effective_check_kind
        {% endif %}
    from figures
),

compared as (
    select
        kinded.figure_id,
        kinded.figure_name,
        kinded.unit,
        kinded.figure_kind,
        kinded.effective_check_kind as check_kind,
        check_kinds.is_evidence,
        kinded.period_label,
        kinded.published_value,
        measures.computed_value,
        kinded.tolerance,
        measures.measure_model,
        measures.measure_column,
        kinded.source_publisher,
        kinded.source_title,
        kinded.source_date_text,
        kinded.source_page,
        kinded.exact_wording,
        kinded.source_summary,
        kinded.note,
        case
            when measures.computed_value is null then 'not_computed'
            when abs(kinded.published_value - measures.computed_value) <= kinded.tolerance
                then check_kinds.status_when_equal
            {% if not var('published_figures_apply') %}
                else 'not_applicable'
            {% else %}
                else 'mismatch'
            {% endif %}
        end as status
    from kinded
    left join measures
        on kinded.figure_id = measures.figure_id
    left join check_kinds
        on kinded.effective_check_kind = check_kinds.check_kind
),

final as (
    select
        cast(figure_id as {{ dbt.type_string() }}) as figure_id,
        cast(figure_name as {{ dbt.type_string() }}) as figure_name,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(figure_kind as {{ dbt.type_string() }}) as figure_kind,
        cast(check_kind as {{ dbt.type_string() }}) as check_kind,
        cast(is_evidence as boolean) as is_evidence,
        cast(period_label as {{ dbt.type_string() }}) as period_label,
        cast(published_value as decimal(20, 4)) as published_value,
        cast(computed_value as decimal(20, 4)) as computed_value,
        cast(tolerance as decimal(20, 4)) as tolerance,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(measure_model as {{ dbt.type_string() }}) as measure_model,
        cast(measure_column as {{ dbt.type_string() }}) as measure_column,
        cast(source_publisher as {{ dbt.type_string() }}) as source_publisher,
        cast(source_title as {{ dbt.type_string() }}) as source_title,
        cast(source_date_text as {{ dbt.type_string() }}) as source_date_text,
        cast(source_page as {{ dbt.type_string() }}) as source_page,
        cast(exact_wording as {{ dbt.type_string() }}) as exact_wording,
        cast(source_summary as {{ dbt.type_string() }}) as source_summary,
        cast(note as {{ dbt.type_string() }}) as note
    from compared
)

select * from final
