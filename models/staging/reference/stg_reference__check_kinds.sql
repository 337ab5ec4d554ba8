with

source as (
    select * from {{ ref('check_kinds') }}
),

renamed as (
    select
        lower(trim(check_kind)) as check_kind,
        cast(is_evidence as boolean) as is_evidence,
        lower(trim(status_when_equal)) as status_when_equal,
        cast(display_order as {{ dbt.type_int() }}) as display_order,
        trim(what_the_check_proves) as what_the_check_proves
    from source
)

select * from renamed
