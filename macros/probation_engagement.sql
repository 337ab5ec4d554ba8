{#- The probation engagement counts, in the order the reporting tables show them: the count
    columns of int_probation__engagement_suppressed, where every grain is suppressed
    together, and of the two reporting tables split from it. -#}
{% macro probation_engagement_counts() -%}
    {{ return(['people_supervised', 'appointments', 'attended_appointments', 'acceptable_absences',
               'unacceptable_absences', 'rescheduled_appointments', 'people_never_seen']) }}
{%- endmacro %}

{#- The disclosure config of each reporting table split from int_probation__engagement_suppressed:
    its counts, and the model that suppressed them (every grain together), where the build's
    disclosure checks audit them. -#}
{% macro probation_engagement_split_disclosure() -%}
    {{ return({
        'threshold': var('suppression_threshold') | int,
        'count_columns': probation_engagement_counts(),
        'suppressed_in': 'int_probation__engagement_suppressed',
    }) }}
{%- endmacro %}
