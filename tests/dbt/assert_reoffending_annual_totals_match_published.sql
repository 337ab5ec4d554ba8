-- Reconciliation: each geography's annual total in reoffending_costs_annual equals its
-- published headline figure (figure_id reoffending_cost_<geography>: London 2.3bn,
-- England and Wales 18.1bn) within the figure's tolerance. Returns a row per mismatch.

with

annual as (
    select * from {{ ref('reoffending_costs_annual') }}
),

figures as (
    select * from {{ ref('stg_reference__published_figures') }}
),

totals as (
    select
        geography,
        cost_year,
        sum(total_cost_gbp) as total_cost_gbp
    from annual
    group by
        geography,
        cost_year
)

select
    totals.geography,
    totals.cost_year,
    totals.total_cost_gbp,
    figures.published_value,
    figures.tolerance
from totals
left join figures
    on figures.figure_id = {{ dbt.concat(["'reoffending_cost_'", "totals.geography"]) }}
where
    figures.figure_id is null
    or abs(totals.total_cost_gbp - figures.published_value) > figures.tolerance
