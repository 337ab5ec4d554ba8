-- grain: one row per Home Office / MoJ offence group

with

offence_groups as (
    select * from {{ ref('stg_reference__offence_groups') }}
)

select
    offence_group_code,
    offence_group_name,
    display_order
from offence_groups
