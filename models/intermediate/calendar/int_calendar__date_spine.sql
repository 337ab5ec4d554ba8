-- grain: one row per calendar day from var calendar_start_date to var calendar_end_date

with

days as (
    {{ calendar_days(var('calendar_start_date'), var('calendar_end_date')) }}
)

select calendar_date from days
