-- grain: one row per person x month x provider x borough with at least one appointment
-- (a table rebuilt from fct_probation_appointments on every run: never-seen is cumulative,
-- so a late record changes every later month; aggregating the fact is cheap.)
-- Business rule: a person is "never seen" in a month when none of their appointments,
-- from their first one up to the end of that month, was attended.

with

appointments as (
    select * from {{ ref('fct_probation_appointments') }}
),

person_months as (
    select
        person_pseudo_id,
        provider_code,
        borough_code,
        appointment_month_date,
        count(*) as appointments,
        {{ count_where('is_attended') }} as attended_appointments,
        {{ count_where('is_acceptable_absence') }} as acceptable_absences,
        {{ count_where('is_unacceptable_absence') }} as unacceptable_absences,
        {{ count_where('is_rescheduled') }} as rescheduled_appointments
    from appointments
    group by
        person_pseudo_id,
        provider_code,
        borough_code,
        appointment_month_date
),

attended_to_date as (
    select
        *,
        sum(attended_appointments) over (
            partition by person_pseudo_id
            order by appointment_month_date
            rows between unbounded preceding and current row
        ) as attended_to_date
    from person_months
),

flagged as (
    select
        person_pseudo_id,
        provider_code,
        borough_code,
        appointment_month_date,
        appointments,
        attended_appointments,
        acceptable_absences,
        unacceptable_absences,
        rescheduled_appointments,
        attended_to_date = 0 as is_never_seen
    from attended_to_date
)

select * from flagged
