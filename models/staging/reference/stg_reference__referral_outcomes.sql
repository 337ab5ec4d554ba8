with

source as (
    select * from {{ ref('referral_outcomes') }}
),

renamed as (
    select
        lower(trim(outcome)) as outcome,
        trim(outcome_name) as outcome_name,
        cast(display_order as {{ dbt.type_int() }}) as display_order,
        trim(published_figure_id) as published_figure_id,
        cast(is_decided as boolean) as is_decided,
        cast(is_take_up as boolean) as is_take_up,
        cast(is_closed as boolean) as is_closed
    from source
)

select * from renamed
