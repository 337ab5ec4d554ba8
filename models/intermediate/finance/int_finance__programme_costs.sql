-- grain: one row per programme
-- A programme's cost is the budget_cost_gbp metric (models/marts/finance/
-- _finance__metrics.yml): the lines that count toward it (is_counted_in_programme_cost, in
-- int_finance__budget_line_history); its parts by funder and by nature are the same metric
-- over those lines. Reference lines (a unit cost, a salary) are kept beside it.
{%- set line_cost = metric_sql('budget_cost_gbp', form='row') %}

with

budget_lines as (
    select * from {{ ref('int_finance__budget_line_history') }}
    where valid_to_date is null  -- the current version of each line
),

programmes as (
    select * from {{ ref('stg_reference__programmes') }}
),

programme_totals as (
    select
        programme_code,
        {{ metric_sql('budget_cost_gbp', cast_as='decimal(18, 2)') }} as cost_gbp,
        cast(sum(case when funder_code = 'moj_victims_grant' then {{ line_cost }} end) as decimal(18, 2))
            as moj_victims_grant_gbp,
        cast(sum(case when funder_code = 'mopac' then {{ line_cost }} end) as decimal(18, 2))
            as mopac_funding_gbp,
        cast(sum(case when cost_nature = 'recurring' then {{ line_cost }} end) as decimal(18, 2))
            as recurring_gbp,
        cast(sum(case when cost_nature = 'one_off' then {{ line_cost }} end) as decimal(18, 2))
            as one_off_gbp,
        cast(max(
            case when line_type = 'reference' and cost_nature = 'salary' then amount_gbp end
        ) as decimal(18, 2)) as director_salary_gbp,
        count(*) as budget_lines
    from budget_lines
    group by programme_code
),

-- The police-officer unit cost is one reference figure for the whole warehouse.
officer_unit_cost as (
    select cast(max(amount_gbp) as decimal(18, 2)) as police_officer_unit_cost_gbp
    from budget_lines
    where line_type = 'reference' and cost_nature = 'unit_cost'
),

joined as (
    select
        programmes.programme_code,
        programmes.programme_name,
        programmes.media_alias,
        coalesce(programme_totals.cost_gbp, 0) as cost_gbp,
        coalesce(programme_totals.moj_victims_grant_gbp, 0) as moj_victims_grant_gbp,
        coalesce(programme_totals.mopac_funding_gbp, 0) as mopac_funding_gbp,
        coalesce(programme_totals.recurring_gbp, 0) as recurring_gbp,
        coalesce(programme_totals.one_off_gbp, 0) as one_off_gbp,
        programme_totals.director_salary_gbp,
        officer_unit_cost.police_officer_unit_cost_gbp
    from programmes
    left join programme_totals
        on programmes.programme_code = programme_totals.programme_code
    cross join officer_unit_cost
)

select * from joined
