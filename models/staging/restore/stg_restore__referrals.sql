-- The rj_referrals extract, as loaded by the extract gate (justice-warehouse build). In
-- development and on Spark the bundled synthetic seed of the same name fills that table,
-- so dbt is told to build it first:
-- depends_on: {{ ref('rj_referrals') }}

with

source as (
    select * from {{ source('restore', 'rj_referrals') }}
),

renamed as (
    select
        -- ids
        cast(referral_id as {{ dbt.type_string() }}) as referral_id,
        {{ pseudonymise('victim_ref') }} as victim_pseudo_id,
        {{ pseudonymise('offender_ref') }} as offender_pseudo_id,

        -- codes
        upper(trim(borough_code)) as borough_code,
        lower(trim(offence_group)) as offence_group_code,
        lower(trim(referral_source)) as referral_source_code,
        lower(trim(outcome)) as outcome,
        lower(nullif(trim(closure_reason), '')) as closure_reason,

        -- dates
        cast(referral_date as date) as referral_date,
        cast(first_contact_date as date) as first_contact_date,
        cast(decision_date as date) as decision_date,
        cast(conversation_date as date) as conversation_date,
        cast(indirect_communication_date as date) as indirect_communication_date,
        cast(conference_date as date) as conference_date,
        cast(closure_date as date) as closure_date,

        -- delivery: the delivery that sent this version of the record
        {{ delivery_date_of(source('restore', 'rj_referrals')) }} as delivery_date

    from source
)

select * from renamed
