-- Reconciliation of two layers: for every programme, the budget lines counted in its cost
-- (marts.fct_programme_budget_lines) add up to the cost reported to BI
-- (reporting.programme_value_for_money). A programme missing on either side is a row too.
-- The comparison with the published totals is reporting.published_figure_checks' job.
-- Reads several models: the orchestrator shows it as a check on programme_value_for_money.
{{ config(meta={'dagster': {'ref': {'name': 'programme_value_for_money'}}}) }}

with

budget_lines as (
    select * from {{ ref('fct_programme_budget_lines') }}
),

value_for_money as (
    select * from {{ ref('programme_value_for_money') }}
),

line_totals as (
    select
        programme_code,
        sum(amount_gbp) as lines_total_gbp
    from budget_lines
    where is_counted_in_programme_cost
    group by programme_code
),

compared as (
    select
        coalesce(line_totals.programme_code, value_for_money.programme_code) as programme_code,
        line_totals.lines_total_gbp,
        value_for_money.cost_gbp as reported_cost_gbp
    from line_totals
    full outer join value_for_money
        on line_totals.programme_code = value_for_money.programme_code
)

select *
from compared
where
    lines_total_gbp is null
    or reported_cost_gbp is null
    or lines_total_gbp != reported_cost_gbp
