with

source as (
    select * from {{ ref('referral_sources') }}
),

renamed as (
    select
        lower(trim(referral_source_code)) as referral_source_code,
        trim(referral_source_name) as referral_source_name
    from source
)

select * from renamed
