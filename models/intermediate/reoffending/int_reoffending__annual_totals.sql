-- grain: one row: the warehouse's annual reoffending totals
-- The one place the reoffending totals that published figures are checked against are
-- summed. London is the sum of every London line (the modelled split); each England and
-- Wales total is the line published on its own dimension ('all' on the others).

with

costs as (
    select * from {{ ref('int_reoffending__costs_by_stage') }}
),

totals as (
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
            when geography = 'england_and_wales' and offence_group_code = 'theft_offences'
                then cost_gbp
        end) as england_and_wales_theft_gbp,
        sum(case
            when
                geography = 'england_and_wales'
                and offence_group_code = 'violence_against_the_person'
                then cost_gbp
        end) as england_and_wales_violence_gbp,
        sum(case
            when geography = 'england_and_wales' and index_disposal = 'court_orders'
                then cost_gbp
        end) as england_and_wales_court_orders_gbp,
        sum(case
            when geography = 'england_and_wales' and index_disposal = 'custody' then cost_gbp
        end) as england_and_wales_custody_gbp
    from costs
)

select * from totals
