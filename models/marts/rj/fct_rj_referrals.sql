-- grain: one row per victim referral to the Restore:London restorative-justice programme,
-- in its current version (the latest delivery that changed it)
-- (synthetic row-level data reproducing the published aggregates)
-- Incremental by referral on DuckDB: a build that adds deliveries to a published warehouse
-- (macros/changed_after_date.sql) takes the current versions those deliveries sent and
-- replaces those referrals (delete+insert keyed on referral_id); a referral no delivery
-- changed keeps its row. Any other incremental run replaces every referral; on Spark the
-- table is rebuilt whole. Both equal a full refresh.
{%- set changed_after = changed_after_date() if is_incremental() else '' %}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='referral_id',
    on_schema_change='fail',
) }}

with

referral_history as (
    select * from {{ ref('fct_rj_referral_history') }}
),

published_period as (
    select * from {{ ref('int_restore__published_period') }}
),

current_versions as (
    select
        referral_id,
        referral_date,
        referral_month_date,
        referral_financial_year,
        borough_code,
        offence_group_code,
        referral_source_code,
        outcome,
        furthest_stage,
        furthest_stage_rank,
        is_contacted,
        is_take_up,
        has_reached_restorative_conversation,
        has_reached_indirect_communication,
        has_reached_direct_conference,
        is_direct_conference,
        is_closed,
        has_known_offender,
        first_contact_date,
        decision_date,
        conversation_date,
        indirect_communication_date,
        conference_date,
        closure_date,
        closure_reason,
        days_to_first_contact,
        days_to_decision,
        days_to_closure,
        valid_from_date
    from referral_history
    where
        is_current
    {%- if changed_after %}
        and valid_from_date > cast('{{ changed_after }}' as date)
    {%- endif %}
),

-- The period of the published figures (from the register) as a flag, so that a metric
-- filters on it rather than restating the dates.
flagged as (
    select
        current_versions.*,
        published_period.period_start_date is not null as is_in_published_period
    from current_versions
    left join published_period
        on
            current_versions.referral_date
            between published_period.period_start_date and published_period.period_end_date
)

select * from flagged
