with

source as (
    select * from {{ ref('appointment_outcome_codes') }}
),

renamed as (
    select
        upper(trim(outcome_code)) as outcome_code,
        trim(outcome_description) as outcome_description,
        lower(trim(outcome_category)) as outcome_category,
        cast(is_attended as {{ dbt.type_boolean() }}) as is_attended,
        cast(is_complied_or_acceptable as {{ dbt.type_boolean() }}) as is_complied_or_acceptable
    from source
)

select * from renamed
