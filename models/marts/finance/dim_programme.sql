-- grain: one row per programme whose budget the warehouse holds

with

programmes as (
    select * from {{ ref('stg_reference__programmes') }}
),

described as (
    select
        programme_code,
        programme_name,
        media_alias,
        commissioner,
        delivery_partner,
        approval_reference,
        approval_date,
        launch_date,
        total_figure_id,
        referral_extract,
        referral_extract is not null as has_referral_extract
    from programmes
)

select * from described
