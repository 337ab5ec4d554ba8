-- grain: one row per programme budget or reference line
-- (the free-text description stays in staging: free text never reaches a mart)

with

budget_lines as (
    select * from {{ ref('int_finance__budget_line_history') }}
    where valid_to_date is null  -- the current version of each line
),

programmes as (
    select * from {{ ref('stg_reference__programmes') }}
),

funders as (
    select * from {{ ref('stg_reference__funders') }}
),

joined as (
    select
        budget_lines.budget_line_id,
        budget_lines.programme_code,
        programmes.programme_name,
        budget_lines.funder_code,
        funders.funder_name,
        budget_lines.financial_year,
        budget_lines.line_type,
        budget_lines.cost_nature,
        budget_lines.is_counted_in_programme_cost,
        budget_lines.amount_gbp,
        budget_lines.basis,
        budget_lines.source_figure_id
    from budget_lines
    left join programmes
        on budget_lines.programme_code = programmes.programme_code
    left join funders
        on budget_lines.funder_code = funders.funder_code
)

select * from joined
