-- grain: one row per geography x year x cost stage x cost category x source basis
-- London: the modelled split (basis = modelled); England and Wales: the published
-- headline total only (stage and category 'all'), since its other published cuts
-- (adults, offence group, disposal) are partial and not by stage and category.

with

costs as (
    select * from {{ ref('fct_reoffending_costs') }}
),

-- Where a geography publishes a headline row (every dimension 'all'), that row is its
-- total; otherwise its offence-group cells add up to the total. Never both, so partial
-- cuts (adults, theft, custody) are not double-counted.
headlines as (
    select distinct
        geography,
        cost_year
    from costs
    where
        offence_group_code = 'all'
        and offender_age_group = 'all'
        and index_disposal = 'all'
),

total_rows as (
    select costs.*
    from costs
    left join headlines
        on
            costs.geography = headlines.geography
            and costs.cost_year = headlines.cost_year
    where
        costs.offender_age_group = 'all'
        and costs.index_disposal = 'all'
        and (
            (headlines.geography is null and costs.offence_group_code != 'all')
            or (headlines.geography is not null and costs.offence_group_code = 'all')
        )
),

annual_cells as (
    select
        geography,
        cost_year,
        cost_stage,
        cost_category_code,
        basis,
        sum(cost_gbp) as total_cost_gbp
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
