-- grain: one row per version of a budget line (a delivery that changed it)
-- Line history keyed by delivery date (macros/delivery_history.sql); the current lines
-- are the versions with no valid_to_date.

with

-- The staging model is passed to the macro itself, not through an import CTE, so that a
-- filter on the history reaches its scan (macros/delivery_history.sql).
history as (
    {{ delivery_history(ref('stg_finance__programme_budget_lines'), 'budget_line_id') }}
),

-- Business rule: only lines of type 'budget' count toward a programme's cost; reference
-- lines (a unit cost, a salary) are kept beside it for comparison, never added to it. The
-- cost itself is the budget_cost_gbp metric (models/marts/finance/_finance__metrics.yml).
counted as (
    select
        *,
        line_type = 'budget' as is_counted_in_programme_cost
    from history
)

-- every column of the staging model, plus the validity (macros/delivery_history.sql) and
-- whether the line counts toward its programme's cost
select * from counted  -- noqa: AM04
