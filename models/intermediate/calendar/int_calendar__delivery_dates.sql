-- grain: one row per delivery date held by any source table
-- The dates reporting can be produced as at: every delivery that sent a version of any
-- record. is_latest marks the current state.

with

referrals as (
    select * from {{ ref('stg_restore__referrals') }}
),

appointments as (
    select * from {{ ref('stg_probation__appointments') }}
),

budget_lines as (
    select * from {{ ref('stg_finance__programme_budget_lines') }}
),

costs as (
    select * from {{ ref('stg_reoffending__costs') }}
),

delivery_dates as (
    select delivery_date from referrals
    union
    select delivery_date from appointments
    union
    select delivery_date from budget_lines
    union
    select delivery_date from costs
),

flagged as (
    select
        cast(delivery_date as date) as delivery_date,
        delivery_date = max(delivery_date) over () as is_latest
    from delivery_dates
)

select * from flagged
