-- grain: one row per calendar day, with the UK financial year (1 April to 31 March)

with

days as (
    select * from {{ ref('int_calendar__days') }}
)

select
    calendar_date,
    calendar_year,
    calendar_month,
    month_start_date,
    financial_year,
    financial_year_start_year,
    financial_quarter
from days
