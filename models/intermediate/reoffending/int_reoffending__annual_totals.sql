-- grain: one row: the warehouse's annual reoffending totals
-- The one place the reoffending totals that published figures are checked against are
-- summed. London's and England and Wales's totals are the annual_reoffending_cost_gbp metric
-- (models/marts/reoffending/_reoffending__metrics.yml: the lines is_in_annual_total marks)
-- of their geography. Each England and Wales partial cut (adults, an offence group, a
-- disposal) is the line published on its own dimension ('all' on the others): a published
-- line read back, not a total, so it is not the metric.
{%- set annual_cost = metric_sql('annual_reoffending_cost_gbp', form='row') %}

with

costs as (
    select * from {{ ref('int_reoffending__costs_by_stage') }}
),

totals as (
    select
        sum(case when geography = 'london' then {{ annual_cost }} end) as london_gbp,
        sum(case when geography = 'england_and_wales' then {{ annual_cost }} end)
            as england_and_wales_gbp,
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
