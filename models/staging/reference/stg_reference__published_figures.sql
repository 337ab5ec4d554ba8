with

source as (
    select * from {{ ref('published_figures') }}
),

renamed as (
    select
        -- ids
        trim(figure_id) as figure_id,

        -- figure
        trim(figure_name) as figure_name,
        cast(published_value as decimal(20, 4)) as published_value,
        lower(trim(unit)) as unit,
        cast(tolerance as decimal(20, 4)) as tolerance,
        lower(trim(figure_kind)) as figure_kind,
        lower(trim(check_kind)) as check_kind,

        -- period and place
        cast(period_start as date) as period_start_date,
        cast(period_end as date) as period_end_date,
        trim(period_label) as period_label,
        trim(geography) as geography,
        nullif(lower(trim(programme_code)), '') as programme_code,

        -- provenance
        trim(source_publisher) as source_publisher,
        trim(source_title) as source_title,
        nullif(trim(source_date), '') as source_date_text,
        trim(source_page) as source_page,
        exact_wording,
        source_summary,
        nullif(trim(note), '') as note

    from source
)

select * from renamed
