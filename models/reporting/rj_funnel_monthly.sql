-- grain: one row per referral month, London-wide
-- Funnel stages are cumulative: a referral counts at every stage up to its furthest one.

with

referrals as (
    select * from {{ ref('fct_rj_referrals') }}
),

funnel as (
    select
        referral_month_date,
        {{ rj_funnel_counts() }}
    from referrals
    group by referral_month_date
),

final as (
    select
        cast(referral_month_date as date) as referral_month_date,
        referred,
        contacted,
        took_up,
        restorative_conversation,
        indirect_communication,
        direct_conference
    from funnel
)

select * from final
