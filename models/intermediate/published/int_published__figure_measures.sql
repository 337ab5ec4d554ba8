-- grain: one row per published figure that names a check_measure
-- Recomputes each published figure from the warehouse. Referral measures count the
-- referrals inside the figure's own period (period_start_date..period_end_date), so a
-- longer extract still checks the published window.

with

figures as (
    select * from {{ ref('stg_reference__published_figures') }}
),

referral_stages as (
    select * from {{ ref('int_restore__referral_stages') }}
),

programme_value as (
    select * from {{ ref('int_finance__programme_value') }}
),

programme_costs as (
    select * from {{ ref('int_finance__programme_costs') }}
),

reoffending_costs as (
    select * from {{ ref('int_reoffending__costs_by_stage') }}
),

checked_figures as (
    select
        figure_id,
        check_measure,
        period_start_date,
        period_end_date
    from figures
    where check_measure is not null
),

referral_counts as (
    select
        checked_figures.figure_id,
        checked_figures.check_measure,
        count(referral_stages.referral_id) as referrals,
        {{ count_where("referral_stages.outcome = 'took_up'") }} as took_up,
        {{ count_where("referral_stages.outcome = 'declined'") }} as declined,
        {{ count_where("referral_stages.outcome = 'no_contact'") }} as no_contact,
        {{ count_where("referral_stages.outcome = 'ongoing'") }} as ongoing,
        {{ count_where("referral_stages.furthest_stage = 'direct_conference'") }}
            as direct_conferences
    from checked_figures
    left join referral_stages
        on
            referral_stages.referral_date
            between checked_figures.period_start_date and checked_figures.period_end_date
    where checked_figures.check_measure like 'rj_%'
    group by
        checked_figures.figure_id,
        checked_figures.check_measure
),

referral_measures as (
    select
        figure_id,
        case check_measure
            when 'rj_referrals' then cast(referrals as decimal(20, 4))
            when 'rj_took_up' then cast(took_up as decimal(20, 4))
            when 'rj_declined' then cast(declined as decimal(20, 4))
            when 'rj_no_contact' then cast(no_contact as decimal(20, 4))
            when 'rj_ongoing' then cast(ongoing as decimal(20, 4))
            when 'rj_direct_conferences' then cast(direct_conferences as decimal(20, 4))
            when 'rj_take_up_rate_pct'
                then cast(round(100.0 * took_up / nullif(referrals, 0), 4) as decimal(20, 4))
            when 'rj_conference_rate_pct'
                then cast(round(100.0 * direct_conferences / nullif(referrals, 0), 4) as decimal(20, 4))
            when 'rj_conference_share_of_take_ups_pct'
                then cast(round(100.0 * direct_conferences / nullif(took_up, 0), 4) as decimal(20, 4))
        end as computed_value
    from referral_counts
),

restore_value as (
    select * from programme_value
    where programme_code = 'restore_london'
),

restore_costs as (
    select * from programme_costs
    where programme_code = 'restore_london'
),

vru_costs as (
    select * from programme_costs
    where programme_code = 'violence_reduction_unit'
),

-- One row of reoffending totals. England and Wales cuts are the published lines, each
-- on its own dimension ('all' on the others).
reoffending_totals as (
    select
        sum(case when geography = 'london' then cost_gbp end) as london_gbp,
        sum(case
            when
                geography = 'england_and_wales' and offence_group_code = 'all'
                and offender_age_group = 'all' and index_disposal = 'all'
                then cost_gbp
        end) as england_and_wales_gbp,
        sum(case
            when geography = 'england_and_wales' and offender_age_group = 'adults' then cost_gbp
        end) as england_and_wales_adults_gbp,
        sum(case
            when geography = 'england_and_wales' and offence_group_code = 'theft_offences' then cost_gbp
        end) as england_and_wales_theft_gbp,
        sum(case
            when
                geography = 'england_and_wales'
                and offence_group_code = 'violence_against_the_person'
                then cost_gbp
        end) as england_and_wales_violence_gbp,
        sum(case
            when geography = 'england_and_wales' and index_disposal = 'court_orders' then cost_gbp
        end) as england_and_wales_court_orders_gbp,
        sum(case
            when geography = 'england_and_wales' and index_disposal = 'custody' then cost_gbp
        end) as england_and_wales_custody_gbp
    from reoffending_costs
),

-- A missing programme leaves its figures without a value, so they show as not_computed
-- and the published_figure_checks tests fail loudly.
other_figure_measures as (
    select
        checked_figures.figure_id,
        cast(case checked_figures.check_measure
            when 'restore_cost_gbp' then restore_costs.cost_gbp
            when 'restore_moj_victims_grant_gbp' then restore_costs.moj_victims_grant_gbp
            when 'restore_mopac_funding_gbp' then restore_costs.mopac_funding_gbp
            when 'police_officer_unit_cost_gbp' then restore_costs.police_officer_unit_cost_gbp
            when 'restore_police_officer_equivalents' then restore_value.police_officer_equivalents
            when 'restore_cost_per_referral_gbp' then restore_value.cost_per_referral_gbp
            when 'restore_cost_per_take_up_gbp' then restore_value.cost_per_take_up_gbp
            when 'restore_cost_per_direct_conference_gbp' then restore_value.cost_per_direct_conference_gbp
            when 'vru_cost_gbp' then vru_costs.cost_gbp
            when 'vru_recurring_gbp' then vru_costs.recurring_gbp
            when 'vru_one_off_gbp' then vru_costs.one_off_gbp
            when 'vru_director_salary_gbp' then vru_costs.director_salary_gbp
            when 'reoffending_cost_london_gbp' then reoffending_totals.london_gbp
            when 'reoffending_cost_england_and_wales_gbp' then reoffending_totals.england_and_wales_gbp
            when 'reoffending_cost_england_and_wales_adults_gbp'
                then reoffending_totals.england_and_wales_adults_gbp
            when 'reoffending_cost_england_and_wales_theft_gbp'
                then reoffending_totals.england_and_wales_theft_gbp
            when 'reoffending_cost_england_and_wales_violence_gbp'
                then reoffending_totals.england_and_wales_violence_gbp
            when 'reoffending_cost_england_and_wales_court_orders_gbp'
                then reoffending_totals.england_and_wales_court_orders_gbp
            when 'reoffending_cost_england_and_wales_custody_gbp'
                then reoffending_totals.england_and_wales_custody_gbp
        end as decimal(20, 4)) as computed_value
    from checked_figures
    cross join restore_costs
    cross join restore_value
    cross join vru_costs
    cross join reoffending_totals
    where checked_figures.check_measure not like 'rj_%'
),

all_measures as (
    select
        figure_id,
        computed_value
    from referral_measures
    union all
    select
        figure_id,
        computed_value
    from other_figure_measures
)

select * from all_measures
