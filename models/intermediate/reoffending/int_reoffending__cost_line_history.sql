-- grain: one row per version of a reoffending cost line (a delivery that changed it)
-- Line history keyed by delivery date (macros/delivery_history.sql); the current lines
-- are the versions with no valid_to_date.

with

-- The staging model is passed to the macro itself, not through an import CTE, so that a
-- filter on the history reaches its scan (macros/delivery_history.sql).
history as (
    {{ delivery_history(ref('stg_reoffending__costs'), 'cost_line_id') }}
)

-- every column of the staging model, plus the validity (macros/delivery_history.sql)
select * from history  -- noqa: AM04
