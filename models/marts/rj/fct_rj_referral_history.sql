-- grain: one row per version of a victim referral: its state from valid_from_date (the
-- delivery that sent it) until valid_to_date (the next delivery that changed it; null for
-- the current version). As at a date D, a referral reads the version with
-- valid_from_date <= D < valid_to_date. (SYNTHETIC row-level data.)

-- Incremental by delivery, as fct_probation_appointment_history: a build adds the versions
-- of the deliveries this table does not hold yet (read from the intermediate views, which
-- find their validity among the new deliveries' rows alone) and closes the current versions
-- they replace (valid_to_date: the first new version's delivery date). Earlier versions
-- never change, since the gate refuses a delivery older than the last one loaded
-- (--replay rebuilds from scratch). DuckDB deletes and re-inserts those versions
-- (delete+insert keyed on referral and delivery); Spark rebuilds the table whole. A source
-- without delivery dates (the bundled seeds) sends every row again, as a full build would;
-- a referral deleted at source needs --full-refresh.
{#- Every column a closed version carries over unchanged, in the order of `joined`. -#}
{%- set carried_columns = [
    'referral_date', 'referral_month_date', 'referral_financial_year', 'borough_code',
    'offence_group_code', 'referral_source_code', 'outcome', 'furthest_stage',
    'furthest_stage_rank', 'is_contacted', 'is_take_up', 'has_reached_restorative_conversation',
    'has_reached_indirect_communication', 'has_reached_direct_conference',
    'is_direct_conference', 'is_closed', 'has_known_offender', 'first_contact_date',
    'decision_date', 'conversation_date', 'indirect_communication_date', 'conference_date',
    'closure_date', 'closure_reason', 'days_to_first_contact', 'days_to_decision',
    'days_to_closure',
] -%}
{%- set last_loaded = none -%}
{%- set referrals_source = source('restore', 'rj_referrals') -%}
{%- if is_incremental() and execute and has_delivery_dates(referrals_source) -%}
    {#- The newest delivery already held, read before the model runs so that the filter
        below is a literal DuckDB pushes into the intermediate views. -#}
    {%- set last_loaded_sql -%}
        select cast(max(loaded.valid_from_date) as {{ dbt.type_string() }}) from {{ this }} as loaded
    {%- endset -%}
    {%- set last_loaded = run_query(last_loaded_sql).columns[0].values()[0] -%}
{%- endif %}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key=['referral_id', 'valid_from_date'],
    on_schema_change='fail',
) }}

with

referrals as (
    select * from {{ ref('int_restore__referral_history') }}
    {%- if last_loaded %}
        where valid_from_date > cast('{{ last_loaded[:10] }}' as date)
    {%- endif %}
),

stages as (
    select * from {{ ref('int_restore__referral_stages') }}
    {%- if last_loaded %}
        where valid_from_date > cast('{{ last_loaded[:10] }}' as date)
    {%- endif %}
),

calendar as (
    select * from {{ ref('int_calendar__days') }}
),

joined as (
    select
        referrals.referral_id,
        referrals.valid_from_date,
        referrals.valid_to_date,
        referrals.valid_to_date is null as is_current,
        referrals.referral_date,
        calendar.month_start_date as referral_month_date,
        calendar.financial_year as referral_financial_year,
        referrals.borough_code,
        referrals.offence_group_code,
        referrals.referral_source_code,
        referrals.outcome,
        stages.furthest_stage,
        stages.furthest_stage_rank,
        stages.is_contacted,
        stages.is_take_up,
        stages.has_reached_restorative_conversation,
        stages.has_reached_indirect_communication,
        stages.has_reached_direct_conference,
        stages.furthest_stage = 'direct_conference' as is_direct_conference,
        stages.is_closed,
        referrals.offender_pseudo_id is not null as has_known_offender,
        referrals.first_contact_date,
        referrals.decision_date,
        referrals.conversation_date,
        referrals.indirect_communication_date,
        referrals.conference_date,
        referrals.closure_date,
        referrals.closure_reason,
        stages.days_to_first_contact,
        stages.days_to_decision,
        stages.days_to_closure
    from referrals
    inner join stages
        on
            referrals.referral_id = stages.referral_id
            and referrals.valid_from_date = stages.valid_from_date
    left join calendar
        on referrals.referral_date = calendar.calendar_date
),

{% if is_incremental() %}

    replacements as (
        select
            referral_id,
            min(valid_from_date) as valid_to_date
        from joined
        group by referral_id
    ),

    -- the held current versions that this build's deliveries replace, now closed (the
    -- semi-join first, so that the held table is probed, never hashed whole)
    closed_versions as (
        select
            loaded.referral_id,
            loaded.valid_from_date,
            replacements.valid_to_date,
            false as is_current,
            {%- for column in carried_columns %}
                loaded.{{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ this }} as loaded
        inner join replacements
            on
                loaded.referral_id = replacements.referral_id
                and loaded.valid_from_date < replacements.valid_to_date
        where
            loaded.is_current
            and loaded.referral_id in (select replaced.referral_id from replacements as replaced)
    ),

{% endif %}

versions as (
    select * from joined
    {%- if is_incremental() %}
        union all
        select * from closed_versions
    {%- endif %}
)

select * from versions
