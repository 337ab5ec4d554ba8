-- grain: one row per calendar day
-- Business rule: UK public-sector financial years run 1 April to 31 March.

with

days as (
    select * from {{ ref('int_calendar__date_spine') }}
),

described as (
    select
        calendar_date,
        cast(extract(year from calendar_date) as {{ dbt.type_int() }}) as calendar_year,
        cast(extract(month from calendar_date) as {{ dbt.type_int() }}) as calendar_month,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month_start_date,
        cast({{ financial_year_start_year('calendar_date') }} as {{ dbt.type_int() }})
            as financial_year_start_year,
        {{ financial_year_label('calendar_date') }} as financial_year,
        case
            when extract(month from calendar_date) between 4 and 6 then 1
            when extract(month from calendar_date) between 7 and 9 then 2
            when extract(month from calendar_date) between 10 and 12 then 3
            else 4
        end as financial_quarter
    from days
)

select * from described
