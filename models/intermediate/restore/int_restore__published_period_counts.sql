-- grain: one row per delivery date (as_at_date): the referral period of the published
-- Restore:London figures as known at that delivery (is_as_published: as the figures were
-- published)
-- The one place the published-period referral counts and rates are computed (the period
-- is applied in int_restore__published_period_referrals; the count of each outcome
-- is int_restore__published_period_outcomes). Each count and rate is its metric's formula
-- (models/marts/rj/_rj__metrics.yml, macros/metrics.sql); rates are shown here as
-- percentages rounded to 4 places.

{#- A table (one row per delivery): the figure mapping and value for money read it several
    times, and as a view each read recomputed every referral's version. -#}
{{ config(materialized='table') }}

with

published_period as (
    select * from {{ ref('int_restore__published_period') }}
),

delivery_dates as (
    select * from {{ ref('int_calendar__delivery_dates') }}
),

in_period as (
    select * from {{ ref('int_restore__published_period_referrals') }}
),

counts as (
    select
        delivery_dates.delivery_date as as_at_date,
        delivery_dates.delivery_date = published_period.as_at_date as is_as_published,
        delivery_dates.is_latest,
        published_period.period_start_date,
        published_period.period_end_date,
        {{ metric_sql('referrals', cast_as=dbt.type_bigint()) }} as referrals,
        {{ metric_sql('took_up', cast_as=dbt.type_bigint()) }} as took_up,
        {{ metric_sql('direct_conferences', cast_as=dbt.type_bigint()) }} as direct_conferences
    from published_period
    cross join delivery_dates
    left join in_period
        on
            published_period.period_start_date = in_period.period_start_date
            and delivery_dates.delivery_date = in_period.as_at_date
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
