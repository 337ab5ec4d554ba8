-- grain: one row per kind of evidence a published-figure check can be

with

check_kinds as (
    select * from {{ ref('stg_reference__check_kinds') }}
),

final as (
    select
        check_kind,
        is_evidence,
        status_when_equal,
        display_order,
        what_the_check_proves
    from check_kinds
)

select * from final
