-- grain: one row per reoffending cost line
-- Business rule (cost allocation): each cost category belongs to one stage -
-- anticipation, consequence or response (Home Office RR99; MoJ 2019). Lines published
-- without a category split (category 'all') keep stage 'all'.

with

costs as (
    select * from {{ ref('int_reoffending__cost_line_history') }}
    where valid_to_date is null  -- the current version of each line
),

categories as (
    select * from {{ ref('stg_reference__reoffending_cost_categories') }}
),

allocated as (
    select
        costs.cost_line_id,
        costs.geography,
        costs.cost_year,
        costs.basis,
        costs.offence_group_code,
        costs.offender_age_group,
        costs.index_disposal,
        costs.cost_category_code,
        case
            when costs.cost_category_code = 'all' then 'all'
            else categories.cost_stage
        end as cost_stage,
        costs.cost_gbp,
        costs.source_figure_id
    from costs
    left join categories
        on costs.cost_category_code = categories.cost_category_code
)

select * from allocated
