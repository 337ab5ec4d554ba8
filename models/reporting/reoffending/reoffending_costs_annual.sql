-- grain: one row per geography x year x cost stage x cost category x source basis
-- London: the modelled split (basis = modelled); England and Wales: the published
-- headline total only (stage and category 'all'), since its other published cuts
-- (adults, offence group, disposal) are partial and not by stage and category.

with

costs as (
    select * from {{ ref('fct_reoffending_costs') }}
),

-- The lines that add up to each geography's annual total (is_in_annual_total,
-- int_reoffending__costs_by_stage), so partial cuts (adults, theft, custody) are not
-- double-counted; the metric annual_reoffending_cost_gbp filters on the same flag.
total_rows as (
    select *
    from costs
    where is_in_annual_total
),

annual_cells as (
    select
        geography,
        cost_year,
        cost_stage,
        cost_category_code,
        basis,
        {{ metric_sql('annual_reoffending_cost_gbp') }} as total_cost_gbp
    from total_rows
    group by
        geography,
        cost_year,
        cost_stage,
        cost_category_code,
        basis
),

final as (
    select
        cast(geography as {{ dbt.type_string() }}) as geography,
        cast(cost_year as {{ dbt.type_int() }}) as cost_year,
        cast(cost_stage as {{ dbt.type_string() }}) as cost_stage,
        cast(cost_category_code as {{ dbt.type_string() }}) as cost_category_code,
        cast(basis as {{ dbt.type_string() }}) as source_basis,
        cast(total_cost_gbp as decimal(18, 2)) as total_cost_gbp
    from annual_cells
)

select * from final
