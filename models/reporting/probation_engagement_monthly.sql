-- grain: one row per month x provider x borough

with

person_months as (
    select * from {{ ref('int_probation__person_months') }}
),

engagement as (
    select
        appointment_month_date,
        provider_code,
        borough_code,
        count(*) as people_supervised,
        sum(appointments) as appointments,
        sum(attended) as attended,
        sum(acceptable_absences) as acceptable_absences,
        sum(unacceptable_absences) as unacceptable_absences,
        sum(rescheduled) as rescheduled,
        {{ count_where('is_never_seen') }} as people_never_seen
    from person_months
    group by
        appointment_month_date,
        provider_code,
        borough_code
),

final as (
    select
        cast(appointment_month_date as date) as appointment_month_date,
        cast(provider_code as {{ dbt.type_string() }}) as provider_code,
        cast(borough_code as {{ dbt.type_string() }}) as borough_code,
        cast(people_supervised as {{ dbt.type_bigint() }}) as people_supervised,
        cast(appointments as {{ dbt.type_bigint() }}) as appointments,
        cast(attended as {{ dbt.type_bigint() }}) as attended,
        cast(acceptable_absences as {{ dbt.type_bigint() }}) as acceptable_absences,
        cast(unacceptable_absences as {{ dbt.type_bigint() }}) as unacceptable_absences,
        cast(rescheduled as {{ dbt.type_bigint() }}) as rescheduled,
        people_never_seen
    from engagement
)

select * from final
