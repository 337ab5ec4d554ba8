-- grain: one row per figure of the published-figures register
-- The register as a mart: each figure's value, period, programme, publisher and source page
-- (docs/sources/), with the source's exact words or a summary.

with

figures as (
    select * from {{ ref('stg_reference__published_figures') }}
),

final as (
    select
        figure_id,
        figure_name,
        published_value,
        unit,
        tolerance,
        figure_kind,
        check_kind,
        period_start_date,
        period_end_date,
        period_label,
        geography,
        programme_code,
        source_publisher,
        source_title,
        source_date_text,
        source_page,
        exact_wording,
        source_summary,
        note
    from figures
)

select * from final
