-- grain: one row per version of an appointment record (a delivery that changed it)
-- Record history keyed by delivery date (macros/delivery_history.sql).

with

-- The staging model is passed to the macro itself, not through an import CTE, so that a
-- filter on the history reaches its scan (macros/delivery_history.sql).
history as (
    {{ delivery_history(ref('stg_probation__appointments'), 'appointment_id') }}
)

-- every column of the staging model, plus the validity (macros/delivery_history.sql)
select * from history  -- noqa: AM04
