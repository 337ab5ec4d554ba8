-- grain: one row per reoffending cost line
-- Business rule (cost allocation): each cost category belongs to one stage -
-- anticipation, consequence or response (Home Office RR99; MoJ 2019). Lines published
-- without a category split (category 'all') keep stage 'all'.
-- Business rule (annual total): where a geography and year publish a headline line (every
-- dimension 'all'), that line is its total; otherwise its offence-group lines add up to it.
-- Never both, so partial cuts (adults, theft, custody) are not double-counted:
-- is_in_annual_total marks the lines that add up to the total.

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
),

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

flagged as (
    select
        allocated.*,
        coalesce(
            allocated.offender_age_group = 'all'
            and allocated.index_disposal = 'all'
            and (
                (headlines.geography is null and allocated.offence_group_code != 'all')
                or (headlines.geography is not null and allocated.offence_group_code = 'all')
            ),
            false
        ) as is_in_annual_total
    from allocated
    left join headlines
        on
            allocated.geography = headlines.geography
            and allocated.cost_year = headlines.cost_year
)

select * from flagged
