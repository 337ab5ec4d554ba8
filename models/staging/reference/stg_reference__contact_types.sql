with

source as (
    select * from {{ ref('contact_types') }}
),

renamed as (
    select
        lower(trim(contact_type_code)) as contact_type_code,
        trim(contact_type_name) as contact_type_name
    from source
)

select * from renamed
