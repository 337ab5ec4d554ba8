with

source as (
    select * from {{ ref('offence_groups') }}
),

renamed as (
    select
        lower(trim(offence_group_code)) as offence_group_code,
        trim(offence_group_name) as offence_group_name,
        cast(display_order as {{ dbt.type_int() }}) as display_order
    from source
)

select * from renamed
