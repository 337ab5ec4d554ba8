-- grain: one row: the period of the published Restore:London referral figures
-- Read from the register (figure rj_referrals_total: referrals April 2017 to January 2019),
-- so the period is written once, beside the figures it belongs to. The figures are
-- evaluated as at their publication date (the register's source_date, 31 March 2019): on
-- the latest delivery on or before it, so later deliveries never change them. A warehouse
-- with no delivery that old (extracts first sent later) is evaluated on its earliest
-- delivery, the nearest state it holds.

with

figures as (
    select
        period_start_date,
        period_end_date,
        {{ dbt.safe_cast('source_date_text', 'date') }} as published_date
    from {{ ref('stg_reference__published_figures') }}
    where figure_id = 'rj_referrals_total'
),

delivery_dates as (
    select * from {{ ref('int_calendar__delivery_dates') }}
),

published_period as (
    select
        figures.period_start_date,
        figures.period_end_date,
        figures.published_date,
        coalesce(
            max(
                case
                    when delivery_dates.delivery_date <= figures.published_date
                        then delivery_dates.delivery_date
                end
            ),
            min(delivery_dates.delivery_date)
        ) as as_at_date
    from figures
    cross join delivery_dates
    group by
        figures.period_start_date,
        figures.period_end_date,
        figures.published_date
)

select * from published_period
