-- grain: one row per version of a budget line (a delivery that changed it)
-- Line history keyed by delivery date (macros/delivery_history.sql); the current lines
-- are the versions with no valid_to_date.

with

budget_lines as (
    select * from {{ ref('stg_finance__programme_budget_lines') }}
),

history as (
    {{ delivery_history('budget_lines', 'budget_line_id') }}
)

-- every column of the staging model, plus the validity (macros/delivery_history.sql)
select * from history  -- noqa: AM04
