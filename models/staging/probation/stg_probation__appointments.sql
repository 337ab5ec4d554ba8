-- The probation_appointments extract, as loaded by the extract gate (justice-warehouse build). In
-- development and on Spark the bundled synthetic seed of the same name fills that table,
-- so dbt is told to build it first:
-- depends_on: {{ ref('probation_appointments') }}

with

source as (
    select * from {{ source('probation', 'probation_appointments') }}
),

renamed as (
    select
        -- ids
        cast(appointment_id as {{ dbt.type_string() }}) as appointment_id,
        {{ pseudonymise('case_reference') }} as person_pseudo_id,
        upper(trim(officer_id)) as officer_id,

        -- codes
        lower(trim(provider_code)) as provider_code,
        upper(trim(borough_code)) as borough_code,
        lower(trim(contact_type)) as contact_type_code,
        upper(trim(outcome_code)) as outcome_code,

        -- dates and times
        cast(appointment_date as date) as appointment_date,
        cast(record_updated_at as {{ dbt.type_timestamp() }}) as record_updated_at,

        -- delivery: the delivery that sent this version of the record
        {{ delivery_date_of(source('probation', 'probation_appointments')) }} as delivery_date

    from source
)

select * from renamed
