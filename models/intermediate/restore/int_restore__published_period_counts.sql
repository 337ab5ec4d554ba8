-- grain: one row per delivery date (as_at_date): the referral period of the published
-- Restore:London figures as known at that delivery (is_as_published: as the figures were
-- published)
-- The one place the published-period referral counts and rates are computed (the period
-- is applied in int_restore__published_period_referrals; the count of each outcome
-- is int_restore__published_period_outcomes). Each count is its metric's formula, taken
-- per outcome in int_restore__published_period_slices and added up here; each rate is its
-- metric's formula over those counts (models/marts/rj/_rj__metrics.yml, macros/metrics.sql),
-- shown as a percentage rounded to 4 places.

{#- A table (one row per delivery): the figure mapping and value for money read it several
    times. -#}
{{ config(materialized='table') }}

with

published_period as (
    select * from {{ ref('int_restore__published_period') }}
),

delivery_dates as (
    select * from {{ ref('int_calendar__delivery_dates') }}
),

slices as (
    select * from {{ ref('int_restore__published_period_slices') }}
),

counts as (
    select
        delivery_dates.delivery_date as as_at_date,
        delivery_dates.delivery_date = published_period.as_at_date as is_as_published,
        delivery_dates.is_latest,
        published_period.period_start_date,
        published_period.period_end_date,
        -- each outcome's count, added up: zero at a date with no referral in the period
        cast(coalesce(sum(slices.referrals), 0) as {{ dbt.type_bigint() }}) as referrals,
        cast(coalesce(sum(slices.took_up), 0) as {{ dbt.type_bigint() }}) as took_up,
        cast(coalesce(sum(slices.direct_conferences), 0) as {{ dbt.type_bigint() }})
            as direct_conferences
    from published_period
    cross join delivery_dates
    left join slices
        on delivery_dates.delivery_date = slices.as_at_date
    group by
        delivery_dates.delivery_date,
        delivery_dates.is_latest,
        published_period.as_at_date,
        published_period.period_start_date,
        published_period.period_end_date
),

rates as (
    select
        as_at_date,
        is_as_published,
        is_latest,
        period_start_date,
        period_end_date,
        cast(referrals as {{ dbt.type_bigint() }}) as referrals,
        took_up,
        direct_conferences,
        cast(round(100.0 * {{ metric_sql('take_up_rate', 'columns') }}, 4) as decimal(20, 4))
            as take_up_rate_pct,
        cast(round(100.0 * {{ metric_sql('conference_rate', 'columns') }}, 4) as decimal(20, 4))
            as conference_rate_pct,
        cast(
            round(100.0 * {{ metric_sql('conference_share_of_take_ups', 'columns') }}, 4)
            as decimal(20, 4)
        ) as conference_share_of_take_ups_pct
    from counts
)

select * from rates
