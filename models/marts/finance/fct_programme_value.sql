-- grain: one row per delivery date (as_at_date) x programme
-- A programme's cost beside what it produced in the published period, as known at each
-- delivery: referrals, take-ups and direct conferences, and the cost of each. Computed in
-- int_finance__programme_value; the reporting tables read it here.

with

programme_value as (
    select * from {{ ref('int_finance__programme_value') }}
),

final as (
    select
        as_at_date,
        programme_code,
        is_as_published,
        is_latest,
        cost_gbp,
        referrals,
        took_up,
        direct_conferences,
        cost_per_referral_gbp,
        cost_per_take_up_gbp,
        cost_per_direct_conference_gbp,
        police_officer_unit_cost_gbp,
        police_officer_equivalents
    from programme_value
)

select * from final
