-- grain: one row per version of a probation appointment record: its state from
-- valid_from_date (the delivery that sent it) until valid_to_date (the next delivery that
-- changed it; null for the current version). (SYNTHETIC row-level data.)
-- The one place appointments are classified and dated into months: the current fact
-- (fct_probation_appointments) is this table's current versions, so a build pseudonymises
-- and classifies each appointment once.

with

appointments as (
    select * from {{ ref('int_probation__appointments_classified') }}
),

calendar as (
    select * from {{ ref('int_calendar__days') }}
),

versions as (
    select
        appointments.appointment_id,
        appointments.valid_from_date,
        appointments.valid_to_date,
        appointments.valid_to_date is null as is_current,
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
        appointments.is_rescheduled,
        appointments.record_updated_at
    from appointments
    left join calendar
        on appointments.appointment_date = calendar.calendar_date
)

select * from versions
