-- grain: one row per month x provider, London-wide, and one per month for London
-- (provider_code 'all')
-- The London-wide rows of int_probation__engagement_suppressed, where every grain of these
-- measures is suppressed together (counts of 1 to var('suppression_threshold'), with
-- secondary suppression across the grains); the boroughs are in probation_engagement_monthly
-- and probation_engagement_borough_annual. The disclosure config names the model that
-- suppressed it: the build's disclosure checks audit the grains there, together.
{{ config(meta={'disclosure': probation_engagement_split_disclosure()}) }}

with

grains as (
    select * from {{ ref('int_probation__engagement_suppressed') }}
),

london_wide as (
    select
        period_start_date as appointment_month_date,
        provider_code,
        {{- suppressed_columns(probation_engagement_counts()) | indent(4) }}
    from grains
    where
        period = 'month'
        and borough_code = 'all'
)

select * from london_wide
