-- grain: one row per month x provider x borough
-- The borough rows by month of int_probation__engagement_suppressed, where every grain of
-- these measures is suppressed together (counts of 1 to var('suppression_threshold'), with
-- secondary suppression across the grains); providers and London are in
-- probation_engagement_london_monthly, the boroughs' financial years in
-- probation_engagement_borough_annual. The disclosure config names the model that
-- suppressed it: the build's disclosure checks audit the grains there, together.
{{ config(meta={'disclosure': probation_engagement_split_disclosure()}) }}

with

grains as (
    select * from {{ ref('int_probation__engagement_suppressed') }}
),

boroughs as (
    select
        period_start_date as appointment_month_date,
        provider_code,
        borough_code,
        {{- suppressed_columns(probation_engagement_counts()) | indent(4) }}
    from grains
    where
        period = 'month'
        and provider_code <> 'all'
        and borough_code <> 'all'
)

select * from boroughs
