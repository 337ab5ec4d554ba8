-- grain: one row per probation appointment (synthetic London caseload)

with

appointments as (
    select * from {{ ref('int_probation__appointments_classified') }}
),

calendar as (
    select * from {{ ref('int_calendar__days') }}
),

joined as (
    select
        appointments.appointment_id,
        appointments.person_pseudo_id,
        appointments.provider_code,
        appointments.officer_id,
        appointments.borough_code,
        appointments.contact_type_code,
        appointments.appointment_date,
        calendar.month_start_date as appointment_month_date,
        calendar.financial_year as appointment_financial_year,
        appointments.outcome_code,
        appointments.outcome_category,
        appointments.is_known_outcome,
        appointments.is_attended,
        appointments.is_complied_or_acceptable,
        appointments.is_acceptable_absence,
        appointments.is_unacceptable_absence,
        appointments.is_rescheduled
    from appointments
    left join calendar
        on appointments.appointment_date = calendar.calendar_date
)

select * from joined
