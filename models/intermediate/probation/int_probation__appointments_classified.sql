-- grain: one row per version of a probation appointment record
-- Business rule (macros/classify_appointments.sql): attendance and compliance come from the
-- appointment outcome code (the national case-management system's codes, seed
-- appointment_outcome_codes); an unknown code is neither attended nor complied and is
-- flagged so that tests can catch it.

with

appointments as (
    select * from {{ ref('int_probation__appointment_history') }}
),

outcome_codes as (
    select * from {{ ref('stg_reference__appointment_outcome_codes') }}
),

classified as (
    {{ classify_appointments('appointments', 'outcome_codes') }}
)

select * from classified
