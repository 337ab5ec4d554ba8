with

source as (
    select * from {{ ref('reoffending_cost_categories') }}
),

renamed as (
    select
        lower(trim(cost_category_code)) as cost_category_code,
        trim(cost_category_name) as cost_category_name,
        lower(trim(cost_stage)) as cost_stage
    from source
)

select * from renamed
