{#-
    The restorative-justice funnel as aggregate columns over fct_rj_referrals rows, each the
    formula of its metric (models/marts/rj/_rj__metrics.yml, rendered by macros/metrics.sql).
    Stages are cumulative: a referral counts at every stage it has reached (has_reached_*,
    from the ranks of the referral_stages seed in int_restore__referral_stages), so the
    columns never increase from referred down to direct_conference while the seed ranks
    the stages in the order of rj_funnel_stages() (tests/dbt/
    assert_referral_stage_ranks_follow_the_funnel_order.sql).
-#}
{% macro rj_funnel_counts() -%}
    {%- set count_type = dbt.type_bigint() %}
    {{ metric_sql('referrals', cast_as=count_type) }} as referred,
    {{ metric_sql('contacted', cast_as=count_type) }} as contacted,
    {{ metric_sql('took_up', cast_as=count_type) }} as took_up,
    {{ metric_sql('restorative_conversations', cast_as=count_type) }} as restorative_conversation,
    {{ metric_sql('indirect_communications', cast_as=count_type) }} as indirect_communication,
    {{ metric_sql('direct_conferences', cast_as=count_type) }} as direct_conference
{%- endmacro %}

{#- The funnel's stage columns, in funnel order. -#}
{% macro rj_funnel_stages() -%}
    {{ return(['referred', 'contacted', 'took_up', 'restorative_conversation',
               'indirect_communication', 'direct_conference']) }}
{%- endmacro %}

{#- Each stage column followed by its suppression flag, for a funnel's final select. -#}
{% macro rj_funnel_suppressed_columns() -%}
    {{ suppressed_columns(rj_funnel_stages()) }}
{%- endmacro %}
