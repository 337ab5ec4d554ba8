-- grain: one row per programme
-- Business rule: only lines of type 'budget' count toward a programme's cost; reference
-- lines (a unit cost, a salary) are kept beside it for comparison, never added to it.

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
        cast(sum(case when line_type = 'budget' then amount_gbp else 0 end) as decimal(18, 2))
            as cost_gbp,
        cast(sum(
            case when line_type = 'budget' and funder_code = 'moj_victims_grant' then amount_gbp else 0 end
        ) as decimal(18, 2)) as moj_victims_grant_gbp,
        cast(sum(
            case when line_type = 'budget' and funder_code = 'mopac' then amount_gbp else 0 end
        ) as decimal(18, 2)) as mopac_funding_gbp,
        cast(sum(
            case when line_type = 'budget' and cost_nature = 'recurring' then amount_gbp else 0 end
        ) as decimal(18, 2)) as recurring_gbp,
        cast(sum(
            case when line_type = 'budget' and cost_nature = 'one_off' then amount_gbp else 0 end
        ) as decimal(18, 2)) as one_off_gbp,
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
