-- grain: one row per version of an appointment record (a delivery that changed it)
-- Record history keyed by delivery date (macros/delivery_history.sql).

with

appointments as (
    select * from {{ ref('stg_probation__appointments') }}
),

history as (
    {{ delivery_history('appointments', 'appointment_id') }}
)

-- every column of the staging model, plus the validity (macros/delivery_history.sql)
select * from history  -- noqa: AM04
