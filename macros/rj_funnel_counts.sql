{#-
    The restorative-justice funnel as aggregate columns over fct_rj_referrals rows.
    Stages are cumulative: a referral counts at every stage up to its furthest one, so the
    columns never increase from referred down to direct_conference.
-#}
{% macro rj_funnel_counts() -%}
    cast(count(*) as {{ dbt.type_bigint() }}) as referred,
    {{ count_where('is_contacted') }} as contacted,
    {{ count_where('is_took_up') }} as took_up,
    {{ count_where('furthest_stage_rank >= 1') }} as restorative_conversation,
    {{ count_where('furthest_stage_rank >= 2') }} as indirect_communication,
    {{ count_where('furthest_stage_rank >= 3') }} as direct_conference
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
