-- grain: one row per delivery of the source extracts (the dates reporting is as at)

with

delivery_dates as (
    select * from {{ ref('int_calendar__delivery_dates') }}
)

select
    delivery_date,
    is_latest
from delivery_dates
