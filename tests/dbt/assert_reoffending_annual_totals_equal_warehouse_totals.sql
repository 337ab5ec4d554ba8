-- Reconciliation of two computations: for each geography, the total reported to BI
-- (reporting.reoffending_costs_annual, summed over its stage and category rows) equals the
-- warehouse's own total in int_reoffending__annual_totals (London: every London line;
-- England and Wales: its headline line). A geography missing on either side is a row too.
-- The comparison with the published totals is reporting.published_figure_checks' job.
-- Reads several models: the orchestrator shows it as a check on reoffending_costs_annual.
{{ config(meta={'dagster': {'ref': {'name': 'reoffending_costs_annual'}}}) }}

with

annual as (
    select * from {{ ref('reoffending_costs_annual') }}
),

warehouse_totals as (
    select * from {{ ref('int_reoffending__annual_totals') }}
),

reported as (
    select
        geography,
        sum(total_cost_gbp) as reported_cost_gbp
    from annual
    group by geography
),

expected as (
    select
        'london' as geography,
        london_gbp as expected_cost_gbp
    from warehouse_totals
    union all
    select
        'england_and_wales' as geography,
        england_and_wales_gbp as expected_cost_gbp
    from warehouse_totals
),

compared as (
    select
        coalesce(reported.geography, expected.geography) as geography,
        reported.reported_cost_gbp,
        expected.expected_cost_gbp
    from reported
    full outer join expected
        on reported.geography = expected.geography
)

select *
from compared
where
    reported_cost_gbp is null
    or expected_cost_gbp is null
    or reported_cost_gbp != expected_cost_gbp
