with

source as (
    select * from {{ ref('london_boroughs') }}
),

renamed as (
    select
        upper(trim(borough_code)) as borough_code,
        trim(borough_name) as borough_name,
        upper(trim(region_code)) as region_code,
        trim(police_force) as police_force
    from source
)

select * from renamed
