with

source as (
    select * from {{ ref('referral_stages') }}
),

renamed as (
    select
        lower(trim(stage_code)) as stage_code,
        trim(stage_name) as stage_name,
        cast(stage_rank as {{ dbt.type_int() }}) as stage_rank
    from source
)

select * from renamed
