{#-
    The restorative-justice funnel as aggregate columns over fct_rj_referrals rows.
    Stages are cumulative: a referral counts at every stage it has reached (has_reached_*,
    from the ranks of the referral_stages seed in int_restore__referral_stages), so the
    columns never increase from referred down to direct_conference while the seed ranks
    the stages in the order of rj_funnel_stages() (tests/dbt/
    assert_referral_stage_ranks_follow_the_funnel_order.sql).
-#}
{% macro rj_funnel_counts() -%}
    cast(count(*) as {{ dbt.type_bigint() }}) as referred,
    {{ count_where('is_contacted') }} as contacted,
    {{ count_where('is_take_up') }} as took_up,
    {{ count_where('has_reached_restorative_conversation') }} as restorative_conversation,
    {{ count_where('has_reached_indirect_communication') }} as indirect_communication,
    {{ count_where('has_reached_direct_conference') }} as direct_conference
{%- endmacro %}

{#- The funnel's stage columns, in funnel order. -#}
{% macro rj_funnel_stages() -%}
    {{ return(['referred', 'contacted', 'took_up', 'restorative_conversation',
               'indirect_communication', 'direct_conference']) }}
{%- endmacro %}

{#- Each stage column followed by its suppression flag, for a funnel's final select. -#}
{% macro rj_funnel_suppressed_columns() -%}
    {%- for stage in rj_funnel_stages() %}
    {{ stage }},
    is_{{ stage }}_suppressed{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
