-- Reconciliation of the incremental fact: it holds exactly the current version of every
-- appointment the source tables hold (int_probation__appointment_history). A
-- record deleted at source, or changed without a later record_updated_at, shows here as a
-- difference in rows or in the latest change; rebuild with --full-refresh.
-- Returns one row when they differ.

with

source_appointments as (
    select * from {{ ref('int_probation__appointment_history') }}
    where valid_to_date is null
),

fact_appointments as (
    select * from {{ ref('fct_probation_appointments') }}
),

source_totals as (
    select
        count(*) as appointments,
        max(record_updated_at) as last_updated_at
    from source_appointments
),

fact_totals as (
    select
        count(*) as appointments,
        max(record_updated_at) as last_updated_at
    from fact_appointments
)

select
    source_totals.appointments as source_appointments,
    fact_totals.appointments as fact_appointments,
    source_totals.last_updated_at as source_last_updated_at,
    fact_totals.last_updated_at as fact_last_updated_at
from source_totals
cross join fact_totals
where
    source_totals.appointments != fact_totals.appointments
    or source_totals.last_updated_at != fact_totals.last_updated_at
