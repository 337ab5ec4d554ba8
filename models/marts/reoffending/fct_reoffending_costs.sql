-- grain: one row per reoffending cost line (London modelled cells; England and Wales
-- published figures, each on its own cut)

with

costs as (
    select * from {{ ref('int_reoffending__costs_by_stage') }}
)

select
    cost_line_id,
    geography,
    cost_year,
    basis,
    offence_group_code,
    offender_age_group,
    index_disposal,
    cost_stage,
    cost_category_code,
    cost_gbp,
    source_figure_id,
    is_in_annual_total
from costs
