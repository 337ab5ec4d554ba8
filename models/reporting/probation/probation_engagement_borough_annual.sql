-- grain: one row per financial year x borough (both providers together)
-- The boroughs' financial-year rows of int_probation__engagement_suppressed, where every grain
-- of these measures is suppressed together (counts of 1 to var('suppression_threshold'), with
-- secondary suppression across the grains: a borough's months and providers add up to its
-- year); the months are in probation_engagement_monthly and
-- probation_engagement_london_monthly. The disclosure config names the model that suppressed
-- it: the build's disclosure checks audit the grains there, together.
{{ config(meta={'disclosure': probation_engagement_split_disclosure()}) }}

with

grains as (
    select * from {{ ref('int_probation__engagement_suppressed') }}
),

borough_years as (
    select
        financial_year,
        borough_code,
        {{- suppressed_columns(probation_engagement_counts()) | indent(4) }}
    from grains
    where period = 'financial_year'
)

select * from borough_years
