{#-
    Business rule: attendance and compliance come from the appointment outcome code (the
    national case-management system's codes, seed appointment_outcome_codes); an unknown
    code is neither attended nor complied and is flagged so that tests can catch it.
    appointments: a relation of appointment versions (key, validity and the staging
    columns); outcome_codes: the reference codes. Renders a select to use as a CTE body.
    The one home of the rule: int_probation__appointments_classified classifies every
    version with it, and an incremental build of fct_probation_appointment_history only
    the versions of the deliveries it adds.
-#}
{% macro classify_appointments(appointments, outcome_codes) -%}
    select
        {{ appointments }}.appointment_id,
        {{ appointments }}.valid_from_date,
        {{ appointments }}.valid_to_date,
        {{ appointments }}.person_pseudo_id,
        {{ appointments }}.provider_code,
        {{ appointments }}.officer_id,
        {{ appointments }}.borough_code,
        {{ appointments }}.contact_type_code,
        {{ appointments }}.appointment_date,
        {{ appointments }}.record_updated_at,
        {{ appointments }}.outcome_code,
        {{ outcome_codes }}.outcome_category,
        {{ outcome_codes }}.outcome_code is not null as is_known_outcome,
        coalesce({{ outcome_codes }}.is_attended, false) as is_attended,
        coalesce({{ outcome_codes }}.is_complied_or_acceptable, false) as is_complied_or_acceptable,
        coalesce({{ outcome_codes }}.outcome_category = 'acceptable_absence', false)
            as is_acceptable_absence,
        coalesce({{ outcome_codes }}.outcome_category = 'unacceptable_absence', false)
            as is_unacceptable_absence,
        coalesce({{ outcome_codes }}.outcome_category = 'rescheduled', false) as is_rescheduled
    from {{ appointments }}
    left join {{ outcome_codes }}
        on {{ appointments }}.outcome_code = {{ outcome_codes }}.outcome_code
{%- endmacro %}
