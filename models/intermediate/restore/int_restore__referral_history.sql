-- grain: one row per version of a referral (a delivery that changed it), with its validity
-- Status history keyed by delivery date (macros/delivery_history.sql): the version sent by
-- a delivery is valid from that delivery's date until the next delivery that changed the
-- referral.

with

referrals as (
    select * from {{ ref('stg_restore__referrals') }}
),

history as (
    {{ delivery_history('referrals', 'referral_id') }}
)

-- every column of the staging model, plus the validity (macros/delivery_history.sql)
select * from history  -- noqa: AM04
