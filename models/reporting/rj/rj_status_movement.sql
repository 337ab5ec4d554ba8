-- grain: one row per delivery date (as_at_date)
-- How cases moved: at each delivery, the referrals known, how many were still open
-- (ongoing) and how many closed, and the average days from referral to the victim's
-- decision and to closure over the referrals decided or closed by then, each referral in
-- its version valid at that date (fct_rj_referral_history). The counts and means are their
-- metrics (models/marts/rj/_rj__metrics.yml), over the versions valid at each date. Counts
-- of 1 to var('suppression_threshold') are suppressed (referrals = open + closed is
-- additive); an average is withheld whenever the count it averages over is.
-- Adds the slices of the deliveries a build brings; earlier slices are left as they were
-- (incremental on DuckDB, macros/as_at_slices.sql).

{%- set disclosure = {
    'threshold': var('suppression_threshold') | int,
    'key_columns': ['as_at_date'],
    'count_columns': ['referrals', 'open_referrals', 'closed_referrals', 'decided_referrals'],
    'additive_groups': [{
        'total': 'referrals',
        'parts': ['open_referrals', 'closed_referrals'],
    }],
} %}
{{ config(meta={'disclosure': disclosure}) }}
{{ as_at_slices_config() }}

with

referral_history as (
    select * from {{ ref('fct_rj_referral_history') }}
),

deliveries as (
    select * from {{ ref('dim_delivery') }}
    where {{ as_at_slices_to_build('delivery_date') }}
),

as_at as (
    select
        deliveries.delivery_date as as_at_date,
        referral_history.referral_id,
        referral_history.is_closed,
        referral_history.decision_date,
        referral_history.days_to_decision,
        referral_history.days_to_closure
    from deliveries
    inner join referral_history
        on {{ is_valid_at('referral_history', 'deliveries.delivery_date') }}
),

moved as (
    select
        as_at_date,
        {{ metric_sql('referrals', cast_as=dbt.type_bigint()) }} as referrals,
        {{ metric_sql('open_referrals', cast_as=dbt.type_bigint()) }} as open_referrals,
        {{ metric_sql('closed_referrals', cast_as=dbt.type_bigint()) }} as closed_referrals,
        {{ metric_sql('decided_referrals', cast_as=dbt.type_bigint()) }} as decided_referrals,
        cast(round({{ metric_sql('mean_days_to_decision') }}, 1) as decimal(10, 1))
            as mean_days_to_decision,
        cast(round({{ metric_sql('mean_days_to_closure') }}, 1) as decimal(10, 1))
            as mean_days_to_closure
    from as_at
    group by as_at_date
),

suppressed as (
    {{ suppress_small_counts(
        model_name='rj_status_movement',
        relation='moved',
        passthrough_columns=['mean_days_to_decision', 'mean_days_to_closure'],
        **disclosure
    ) }}
)

select
    cast(as_at_date as date) as as_at_date,
    referrals,
    is_referrals_suppressed,
    open_referrals,
    is_open_referrals_suppressed,
    closed_referrals,
    is_closed_referrals_suppressed,
    decided_referrals,
    is_decided_referrals_suppressed,
    case when not is_decided_referrals_suppressed then mean_days_to_decision end
        as mean_days_to_decision,
    case when not is_closed_referrals_suppressed then mean_days_to_closure end
        as mean_days_to_closure
from suppressed
