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
        on referral_stages.referral_date
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

other_measures as (
    select 'restore_cost_gbp' as check_measure, cost_gbp as computed_value from restore_costs
    union all
    select 'restore_moj_victims_grant_gbp', moj_victims_grant_gbp from restore_costs
    union all
    select 'restore_mopac_funding_gbp', mopac_funding_gbp from restore_costs
    union all
    select 'police_officer_unit_cost_gbp', police_officer_unit_cost_gbp from restore_costs
    union all
    select 'restore_police_officer_equivalents', police_officer_equivalents from restore_value
    union all
    select 'restore_cost_per_referral_gbp', cost_per_referral_gbp from restore_value
    union all
    select 'restore_cost_per_take_up_gbp', cost_per_take_up_gbp from restore_value
    union all
    select 'restore_cost_per_direct_conference_gbp', cost_per_direct_conference_gbp from restore_value
    union all
    select 'vru_cost_gbp', cost_gbp from vru_costs
    union all
    select 'vru_recurring_gbp', recurring_gbp from vru_costs
    union all
    select 'vru_one_off_gbp', one_off_gbp from vru_costs
    union all
    select 'vru_director_salary_gbp', director_salary_gbp from vru_costs
    union all
    select
        'reoffending_cost_london_gbp',
        sum(case when geography = 'london' then cost_gbp end)
    from reoffending_costs
    union all
    select
        'reoffending_cost_england_and_wales_gbp',
        sum(case
            when geography = 'england_and_wales' and offence_group_code = 'all'
                and offender_age_group = 'all' and index_disposal = 'all'
                then cost_gbp
        end)
    from reoffending_costs
    union all
    select
        'reoffending_cost_england_and_wales_adults_gbp',
        sum(case
            when geography = 'england_and_wales' and offender_age_group = 'adults' then cost_gbp
        end)
    from reoffending_costs
    union all
    select
        'reoffending_cost_england_and_wales_theft_gbp',
        sum(case
            when geography = 'england_and_wales' and offence_group_code = 'theft_offences'
                then cost_gbp
        end)
    from reoffending_costs
    union all
    select
        'reoffending_cost_england_and_wales_violence_gbp',
        sum(case
            when geography = 'england_and_wales' and offence_group_code = 'violence_against_the_person'
                then cost_gbp
        end)
    from reoffending_costs
    union all
    select
        'reoffending_cost_england_and_wales_court_orders_gbp',
        sum(case
            when geography = 'england_and_wales' and index_disposal = 'court_orders' then cost_gbp
        end)
    from reoffending_costs
    union all
    select
        'reoffending_cost_england_and_wales_custody_gbp',
        sum(case
            when geography = 'england_and_wales' and index_disposal = 'custody' then cost_gbp
        end)
    from reoffending_costs
),

other_figure_measures as (
    select
        checked_figures.figure_id,
        cast(other_measures.computed_value as decimal(20, 4)) as computed_value
    from checked_figures
    inner join other_measures
        on checked_figures.check_measure = other_measures.check_measure
),

all_measures as (
    select figure_id, computed_value from referral_measures
    union all
    select figure_id, computed_value from other_figure_measures
)

select * from all_measures
