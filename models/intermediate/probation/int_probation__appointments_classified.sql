-- grain: one row per version of a probation appointment record
-- Business rule: attendance and compliance come from the appointment outcome code
-- (the national case-management system's codes, seed appointment_outcome_codes); an
-- unknown code is neither attended nor complied and is flagged so that tests can catch it.

with

appointments as (
    select * from {{ ref('int_probation__appointment_history') }}
),

outcome_codes as (
    select * from {{ ref('stg_reference__appointment_outcome_codes') }}
),

classified as (
    select
        appointments.appointment_id,
        appointments.valid_from_date,
        appointments.valid_to_date,
        appointments.person_pseudo_id,
        appointments.provider_code,
        appointments.officer_id,
        appointments.borough_code,
        appointments.contact_type_code,
        appointments.appointment_date,
        appointments.record_updated_at,
        appointments.outcome_code,
        outcome_codes.outcome_category,
        outcome_codes.outcome_code is not null as is_known_outcome,
        coalesce(outcome_codes.is_attended, false) as is_attended,
        coalesce(outcome_codes.is_complied_or_acceptable, false) as is_complied_or_acceptable,
        coalesce(outcome_codes.outcome_category = 'acceptable_absence', false)
            as is_acceptable_absence,
        coalesce(outcome_codes.outcome_category = 'unacceptable_absence', false)
            as is_unacceptable_absence,
        coalesce(outcome_codes.outcome_category = 'rescheduled', false) as is_rescheduled
    from appointments
    left join outcome_codes
        on appointments.outcome_code = outcome_codes.outcome_code
)

select * from classified
