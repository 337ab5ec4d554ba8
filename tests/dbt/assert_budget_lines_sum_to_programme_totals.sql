-- Reconciliation: each programme's budget lines add up to the published programme total
-- named by the programme's total_figure_id (Restore: PCD 26 1,300,000 = 550,000 MoJ
-- Victims grant + 750,000 MOPAC; VRU: 6.8m), and to the cost reported to BI.
-- Returns a row for each programme whose totals differ.

with

budget_lines as (
    select * from {{ ref('fct_programme_budget_lines') }}
),

programmes as (
    select * from {{ ref('stg_reference__programmes') }}
),

figures as (
    select * from {{ ref('stg_reference__published_figures') }}
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
        programmes.programme_code,
        line_totals.lines_total_gbp,
        figures.published_value as published_total_gbp,
        value_for_money.cost_gbp as reported_cost_gbp
    from programmes
    left join line_totals
        on programmes.programme_code = line_totals.programme_code
    left join figures
        on programmes.total_figure_id = figures.figure_id
    left join value_for_money
        on programmes.programme_code = value_for_money.programme_code
)

select *
from compared
where
    lines_total_gbp is null
    or published_total_gbp is null
    or lines_total_gbp != published_total_gbp
    or reported_cost_gbp != lines_total_gbp
