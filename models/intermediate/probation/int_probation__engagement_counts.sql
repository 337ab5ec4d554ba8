-- depends_on: {{ ref('fct_probation_appointment_history') }}
-- grain: one row per period x provider x borough, where a period is a month or a financial
-- year: each month x provider x borough, each provider's London-wide row per month
-- (borough_code 'all'), London's per month (provider_code and borough_code 'all'), and each
-- borough's row per financial year (provider_code 'all'; period 'financial_year')
-- The engagement measures at every grain, before suppression
-- (int_probation__engagement_suppressed suppresses them together). People are their
-- metrics' formulas (distinct people); the appointment counts add up the person-months'
-- counts, each its metric's formula (models/marts/probation/_probation__metrics.yml).
-- A build that adds deliveries (macros/changed_after_date.sql) counts only the people they
-- touched: fct_probation_person_months' pre-hook keeps the rows it replaces
-- (macros/touched_people.sql), and each count here is its previous value, less what those
-- people counted before, plus what they count now. A person counts once in a cell, so a
-- distinct count is the sum of its people's contributions, and this equals counting
-- everyone again; a cell left with no one goes. At `national` a delivery touches about
-- 15% of the people. Every other run, and Spark, counts everyone.
{%- set person_months = ref('fct_probation_person_months') %}
{%- set replaced = replaced_person_months(person_months) %}
{%- set by_delta = engagement_counts_by_delta(replaced) %}
{%- set cell_columns = ['period', 'period_start_date', 'financial_year', 'provider_code', 'borough_code'] %}
{%- set month = 'appointment_month_date' %}
{%- set financial_year = financial_year_label(month) %}
{%- set grains = [
    {'period': 'month', 'start': month, 'provider': 'provider_code', 'borough': 'borough_code',
     'by': [month, 'provider_code', 'borough_code']},
    {'period': 'month', 'start': month, 'provider': 'provider_code', 'borough': "'all'",
     'by': [month, 'provider_code']},
    {'period': 'month', 'start': month, 'provider': "'all'", 'borough': "'all'", 'by': [month]},
    {'period': 'financial_year', 'start': 'min(' ~ financial_year_start_date(month) ~ ')', 'provider': "'all'",
     'borough': 'borough_code', 'by': [financial_year, 'borough_code']},
] %}
{#- Each input's rows and the sign its counts take: everyone's, or the touched people's now
    (+) and before (-). -#}
{%- set inputs = [{'name': 'counted_person_months', 'sign': 1}] %}
{%- if by_delta %}
    {%- do inputs.append({'name': 'replaced_person_months', 'sign': -1}) %}
{%- endif %}
{{ config(materialized='table', post_hook="{{ drop_replaced_person_months() }}") }}

with

-- Read by each grain's aggregation, never stored as a whole (macros/inline_cte.sql).
counted_person_months as {{ inline_cte() }} (
    select * from {{ person_months }}
    {%- if by_delta %}
        where person_pseudo_id in ({{ touched_people(changed_after_date()) }})
    {%- endif %}
),

{% if by_delta %}

    replaced_person_months as {{ inline_cte() }} (
        select * from {{ replaced }}
    ),

    previous_counts as (
        select * from {{ this }}
    ),

{% endif %}

contributions as (
    {% for input in inputs %}
        {% for grain in grains %}
            select
                '{{ grain.period }}' as period,
                {{ grain.start }} as period_start_date,
                {{ financial_year }} as financial_year,
                {{ grain.provider }} as provider_code,
                {{ grain.borough }} as borough_code,
                {{ input.sign }} * {{ metric_sql('people_supervised') }} as people_supervised,
                {{ input.sign }} * sum(appointments) as appointments,
                {{ input.sign }} * sum(attended_appointments) as attended_appointments,
                {{ input.sign }} * sum(acceptable_absences) as acceptable_absences,
                {{ input.sign }} * sum(unacceptable_absences) as unacceptable_absences,
                {{ input.sign }} * sum(rescheduled_appointments) as rescheduled_appointments,
                {{ input.sign }} * {{ metric_sql('people_never_seen') }} as people_never_seen
            from {{ input.name }}
            group by {{ grain.by | join(', ') }}
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
    {% if by_delta %}
        union all
        select
            {{ (cell_columns + probation_engagement_counts()) | join(',\n            ') }}
        from previous_counts
    {% endif %}
),

counts as (
    select
        {% for column in cell_columns %}
            {{ column }},
        {% endfor %}
        {% for column in probation_engagement_counts() %}
            sum({{ column }}) as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from contributions
    group by {{ cell_columns | join(', ') }}
),

-- A cell exists while someone is in it.
complete as (
    select
        cast(period as {{ dbt.type_string() }}) as period,
        cast(period_start_date as date) as period_start_date,
        cast(financial_year as {{ dbt.type_string() }}) as financial_year,
        cast(provider_code as {{ dbt.type_string() }}) as provider_code,
        cast(borough_code as {{ dbt.type_string() }}) as borough_code,
        {% for column in probation_engagement_counts() %}
            cast({{ column }} as {{ dbt.type_bigint() }}) as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from counts
    where people_supervised > 0
)

select * from complete
