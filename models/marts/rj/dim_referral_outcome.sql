-- grain: one row per referral outcome (the victim's decision on the offer)

with

outcomes as (
    select * from {{ ref('stg_reference__referral_outcomes') }}
),

final as (
    select
        outcome,
        outcome_name,
        display_order,
        published_figure_id,
        is_decided,
        is_take_up,
        is_closed
    from outcomes
)

select * from final
