with

source as (
    select * from {{ ref('funders') }}
),

renamed as (
    select
        lower(trim(funder_code)) as funder_code,
        trim(funder_name) as funder_name
    from source
)

select * from renamed
