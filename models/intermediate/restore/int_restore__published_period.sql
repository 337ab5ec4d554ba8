-- grain: one row: the period of the published Restore:London referral figures
-- Read from the register (figure rj_referrals_total: referrals April 2017 to January 2019),
-- so the period is written once, beside the figures it belongs to.

with

figures as (
    select * from {{ ref('stg_reference__published_figures') }}
),

published_period as (
    select
        period_start_date,
        period_end_date
    from figures
    where figure_id = 'rj_referrals_total'
)

select * from published_period
