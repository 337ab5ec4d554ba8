-- grain: one row per London local authority (32 boroughs and the City of London)

with

boroughs as (
    select * from {{ ref('stg_reference__boroughs') }}
),

described as (
    select
        borough_code,
        borough_name,
        region_code,
        police_force,
        police_force = 'Metropolitan Police' as is_met_police_area
    from boroughs
)

select * from described
