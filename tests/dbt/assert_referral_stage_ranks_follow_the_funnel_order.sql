-- The rule the funnel's monotony rests on: the referral_stages seed ranks the intervention
-- stages in the order the funnel lists them (macro rj_funnel_stages), each above the one
-- before it and above 'none'. The funnel counts a referral at every stage ranked at or
-- below its furthest one, so with the seed in that order no stage can count more referrals
-- than the stage before it. Returns a row per stage out of order or missing from the seed.
{%- set funnel = rj_funnel_stages() %}
{%- set intervention_stages = funnel[funnel.index('took_up') + 1:] %}

with

stages as (
    select * from {{ ref('stg_reference__referral_stages') }}
),

funnel_order as (
    {%- for stage in ['none'] + intervention_stages %}
        select
            cast('{{ stage }}' as {{ dbt.type_string() }}) as stage_code,
            {{ loop.index }} as funnel_position
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

ranked as (
    select
        funnel_order.stage_code,
        funnel_order.funnel_position,
        stages.stage_rank
    from funnel_order
    left join stages
        on funnel_order.stage_code = stages.stage_code
),

out_of_order as (
    select
        later.stage_code,
        later.stage_rank,
        earlier.stage_code as earlier_stage_code,
        earlier.stage_rank as earlier_stage_rank
    from ranked as later
    inner join ranked as earlier
        on later.funnel_position > earlier.funnel_position
    where later.stage_rank <= earlier.stage_rank
),

missing as (
    select
        stage_code,
        stage_rank,
        cast(null as {{ dbt.type_string() }}) as earlier_stage_code,
        cast(null as {{ dbt.type_int() }}) as earlier_stage_rank
    from ranked
    where stage_rank is null
)

select * from out_of_order
union all
select * from missing
