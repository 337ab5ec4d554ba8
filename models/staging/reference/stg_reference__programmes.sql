with

source as (
    select * from {{ ref('programmes') }}
),

renamed as (
    select
        lower(trim(programme_code)) as programme_code,
        trim(programme_name) as programme_name,
        trim(media_alias) as media_alias,
        trim(commissioner) as commissioner,
        nullif(trim(delivery_partner), '') as delivery_partner,
        nullif(trim(approval_reference), '') as approval_reference,
        cast(approval_date as date) as approval_date,
        cast(launch_date as date) as launch_date,
        trim(total_figure_id) as total_figure_id,
        nullif(trim(referral_extract), '') as referral_extract
    from source
)

select * from renamed
