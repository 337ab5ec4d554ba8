-- grain: one row per version of a probation appointment record: its state from
-- valid_from_date (the delivery that sent it) until valid_to_date (the next delivery that
-- changed it; null for the current version). (SYNTHETIC row-level data.)

with

appointments as (
    select * from {{ ref('int_probation__appointments_classified') }}
),

versions as (
    select
        appointment_id,
        valid_from_date,
        valid_to_date,
        valid_to_date is null as is_current,
        person_pseudo_id,
        provider_code,
        borough_code,
        contact_type_code,
        appointment_date,
        outcome_code,
        outcome_category,
        is_attended,
        record_updated_at
    from appointments
)

select * from versions
