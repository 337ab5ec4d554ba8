-- grain: one row per version of a referral (a delivery that changed it), with its validity
-- Status history keyed by delivery date (macros/delivery_history.sql): the version sent by
-- a delivery is valid from that delivery's date until the next delivery that changed the
-- referral.

with

-- The staging model is passed to the macro itself, not through an import CTE, so that a
-- filter on the history reaches its scan (macros/delivery_history.sql).
history as (
    {{ delivery_history(ref('stg_restore__referrals'), 'referral_id') }}
)

-- every column of the staging model, plus the validity (macros/delivery_history.sql)
select * from history  -- noqa: AM04
