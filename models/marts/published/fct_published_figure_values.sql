-- grain: one row per published figure the warehouse can compute
-- The value the warehouse computes for each figure and the model and column that hold it
-- (the mapping is int_published__figure_measures; each value is computed once, by the
-- model that owns it).

with

measures as (
    select * from {{ ref('int_published__figure_measures') }}
),

final as (
    select
        figure_id,
        computed_value,
        measure_model,
        measure_column
    from measures
)

select * from final
