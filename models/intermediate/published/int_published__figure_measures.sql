-- grain: one row per published figure the warehouse can compute
-- The one mapping from a published figure (its register id) to the warehouse column that
-- holds its value. Nothing is computed here: each value is computed once, by the model that
-- owns it, and this file only says where it is. A figure missing from this list is
-- not_computed; a test fails when a figure whose check_kind says it is computable has no
-- row here, or when a row names a figure the register does not hold. The outcome counts
-- (rj_took_up, rj_declined, ...) come with their figure id from
-- int_restore__published_period_outcomes (seed referral_outcomes.published_figure_id).
{#- The Restore figures are read in the state they were published in (is_as_published:
    the latest delivery on or before the publication date, int_restore__published_period). -#}
{%- set as_published = "is_as_published" %}
{#- A view: the validation's published_figures suite reads it in the warehouse it validates,
    so each figure is computed from that file's own models when it is checked, not copied
    from a comparison the build wrote (marts.fct_published_figure_values keeps the build's). -#}
{#- A programme's figure reads the row of the programme the register names for it (its
    programme_code column), so no programme is named here. -#}
{%- set programme = "programme_code = (select programme_code from "
    ~ ref('stg_reference__published_figures') ~ " where figure_id = '{figure_id}')" %}
{%- set programme_as_published = programme ~ " and is_as_published" %}
{%- set measures = [
    ('rj_referrals_total', 'int_restore__published_period_counts', 'referrals', as_published),
    ('rj_direct_meetings', 'int_restore__published_period_counts', 'direct_conferences', as_published),
    ('rj_take_up_rate', 'int_restore__published_period_counts', 'take_up_rate_pct', as_published),
    ('rj_conference_rate', 'int_restore__published_period_counts', 'conference_rate_pct', as_published),
    ('rj_conference_share_of_take_ups', 'int_restore__published_period_counts',
        'conference_share_of_take_ups_pct', as_published),
    ('restore_cost', 'int_finance__programme_costs', 'cost_gbp', programme),
    ('pcd26_max_grant', 'int_finance__programme_costs', 'cost_gbp', programme),
    ('pcd26_moj_victims_grant', 'int_finance__programme_costs', 'moj_victims_grant_gbp', programme),
    ('pcd26_mopac_funding', 'int_finance__programme_costs', 'mopac_funding_gbp', programme),
    ('police_officer_unit_cost', 'int_finance__programme_costs',
        'police_officer_unit_cost_gbp', programme),
    ('vru_budget', 'int_finance__programme_costs', 'cost_gbp', programme),
    ('vru_recurring', 'int_finance__programme_costs', 'recurring_gbp', programme),
    ('vru_one_off', 'int_finance__programme_costs', 'one_off_gbp', programme),
    ('vru_director_salary', 'int_finance__programme_costs', 'director_salary_gbp', programme),
    ('police_officers_claim', 'int_finance__programme_value', 'police_officer_equivalents',
        programme_as_published),
    ('restore_cost_per_referral', 'int_finance__programme_value', 'cost_per_referral_gbp',
        programme_as_published),
    ('restore_cost_per_take_up', 'int_finance__programme_value', 'cost_per_take_up_gbp',
        programme_as_published),
    ('restore_cost_per_direct_meeting', 'int_finance__programme_value',
        'cost_per_direct_conference_gbp', programme_as_published),
    ('reoffending_cost_london', 'int_reoffending__annual_totals', 'london_gbp', none),
    ('reoffending_cost_england_and_wales', 'int_reoffending__annual_totals',
        'england_and_wales_gbp', none),
    ('reoffending_cost_england_and_wales_adults', 'int_reoffending__annual_totals',
        'england_and_wales_adults_gbp', none),
    ('reoffending_cost_england_and_wales_theft', 'int_reoffending__annual_totals',
        'england_and_wales_theft_gbp', none),
    ('reoffending_cost_england_and_wales_violence', 'int_reoffending__annual_totals',
        'england_and_wales_violence_gbp', none),
    ('reoffending_cost_england_and_wales_court_orders', 'int_reoffending__annual_totals',
        'england_and_wales_court_orders_gbp', none),
    ('reoffending_cost_england_and_wales_custody', 'int_reoffending__annual_totals',
        'england_and_wales_custody_gbp', none),
] %}

with

mapped_measures as (
    {%- for figure_id, model, column, condition in measures %}
        select
            cast('{{ figure_id }}' as {{ dbt.type_string() }}) as figure_id,
            cast(max({{ column }}) as decimal(20, 4)) as computed_value,
            cast('{{ model }}' as {{ dbt.type_string() }}) as measure_model,
            cast('{{ column }}' as {{ dbt.type_string() }}) as measure_column
        from {{ ref(model) }}
        {%- if condition %}
            where {{ condition | replace('{figure_id}', figure_id) }}
        {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

outcome_measures as (
    select
        cast(published_figure_id as {{ dbt.type_string() }}) as figure_id,
        cast(referrals as decimal(20, 4)) as computed_value,
        cast('int_restore__published_period_outcomes' as {{ dbt.type_string() }})
            as measure_model,
        cast('referrals' as {{ dbt.type_string() }}) as measure_column
    from {{ ref('int_restore__published_period_outcomes') }}
    where published_figure_id is not null
),

all_measures as (
    select * from mapped_measures
    union all
    select * from outcome_measures
)

select * from all_measures
