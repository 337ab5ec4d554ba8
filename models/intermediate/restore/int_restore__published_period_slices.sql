-- grain: one row per delivery date (as_at_date) x referral outcome with at least one
-- referral received in the period of the published Restore:London figures, each in its
-- version valid at that date
-- The counts int_restore__published_period_counts adds up, each its metric's formula
-- (models/marts/rj/_rj__metrics.yml, macros/metrics.sql) over one outcome's referrals. A
-- referral has one outcome at a date, so the outcomes' counts of a slice (count, sums) add
-- up to the count over all its referrals.
-- Adds the slices of the deliveries a build brings; earlier slices are left as they were
-- (incremental on DuckDB, macros/as_at_slices.sql): as a table rebuilt whole, every build
-- read every referral version at every delivery date (2.5-4.5 s of a `national` delivery's
-- dbt run). int_restore__published_period_outcomes stays a view over the referrals: the
-- validation of a published warehouse evaluates the outcome figures (rj_took_up) through
-- it from the source rows, so that a loaded referral changed since the build is seen.
{{ as_at_slices_config() }}

with

in_period as (
    select * from {{ ref('int_restore__published_period_referrals') }}
    where {{ as_at_slices_to_build('as_at_date') }}
),

counted as (
    select
        as_at_date,
        outcome,
        {{ metric_sql('referrals', cast_as=dbt.type_bigint()) }} as referrals,
        {{ metric_sql('took_up', cast_as=dbt.type_bigint()) }} as took_up,
        {{ metric_sql('direct_conferences', cast_as=dbt.type_bigint()) }} as direct_conferences
    from in_period
    group by
        as_at_date,
        outcome
)

select
    cast(as_at_date as date) as as_at_date,
    outcome,
    referrals,
    took_up,
    direct_conferences
from counted
