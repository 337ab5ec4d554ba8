with

source as (
    select * from {{ ref('probation_providers') }}
),

renamed as (
    select
        lower(trim(provider_code)) as provider_code,
        trim(provider_name) as provider_name,
        trim(risk_levels_supervised) as risk_levels_supervised,
        trim(owner) as owner
    from source
)

select * from renamed
