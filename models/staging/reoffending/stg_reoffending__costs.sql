-- The reoffending_costs extract, as loaded by the extract gate (justice-warehouse build). In
-- development and on Spark the bundled synthetic seed of the same name fills that table,
-- so dbt is told to build it first:
-- depends_on: {{ ref('reoffending_costs') }}

with

source as (
    select * from {{ source('reoffending', 'reoffending_costs') }}
),

renamed as (
    select
        -- ids
        cast(cost_line_id as {{ dbt.type_string() }}) as cost_line_id,

        -- codes
        lower(trim(geography)) as geography,
        lower(trim(basis)) as basis,
        lower(trim(offence_group)) as offence_group_code,
        lower(trim(cost_category)) as cost_category_code,
        lower(trim(offender_age_group)) as offender_age_group,
        lower(trim(index_disposal)) as index_disposal,
        trim(source_figure_id) as source_figure_id,

        -- periods
        cast(cost_year as {{ dbt.type_int() }}) as cost_year,

        -- amounts
        cast(cost_gbp as decimal(18, 2)) as cost_gbp,

        -- delivery: the delivery that sent this version of the record
        {{ delivery_date_of(source('reoffending', 'reoffending_costs')) }} as delivery_date

    from source
)

select * from renamed
