-- The programme_budget_lines extract, as loaded by the extract gate (justice-warehouse build). In
-- development and on Spark the bundled synthetic seed of the same name fills that table,
-- so dbt is told to build it first:
-- depends_on: {{ ref('programme_budget_lines') }}

with

source as (
    select * from {{ source('finance', 'programme_budget_lines') }}
),

renamed as (
    select
        -- ids
        cast(budget_line_id as {{ dbt.type_string() }}) as budget_line_id,

        -- codes
        lower(trim(programme_code)) as programme_code,
        lower(trim(funder_code)) as funder_code,
        trim(financial_year) as financial_year,
        lower(trim(line_type)) as line_type,
        lower(trim(cost_nature)) as cost_nature,
        lower(trim(basis)) as basis,
        trim(source_figure_id) as source_figure_id,

        -- amounts
        cast(amount_gbp as decimal(18, 2)) as amount_gbp,

        -- text
        description,

        -- delivery: the delivery that sent this version of the record
        {{ delivery_date_of(source('finance', 'programme_budget_lines')) }} as delivery_date

    from source
)

select * from renamed
