-- grain: one row per referral month, London-wide
-- Funnel stages are cumulative: a referral counts at every stage up to its furthest one.

with

referrals as (
    select * from {{ ref('fct_rj_referrals') }}
),

funnel as (
    select
        referral_month_date,
        count(*) as referred,
        {{ count_where('is_contacted') }} as contacted,
        {{ count_where('is_took_up') }} as took_up,
        {{ count_where('furthest_stage_rank >= 1') }} as restorative_conversation,
        {{ count_where('furthest_stage_rank >= 2') }} as indirect_communication,
        {{ count_where('furthest_stage_rank >= 3') }} as direct_conference
    from referrals
    group by referral_month_date
),

final as (
    select
        cast(referral_month_date as date) as referral_month_date,
        cast(referred as {{ dbt.type_bigint() }}) as referred,
        contacted,
        took_up,
        restorative_conversation,
        indirect_communication,
        direct_conference
    from funnel
)

select * from final
