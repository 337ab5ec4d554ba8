{#- The probation engagement counts, in the order the reporting tables show them: the count
    columns of int_probation__engagement_suppressed, where every grain is suppressed
    together, and of the two reporting tables split from it. -#}
{% macro probation_engagement_counts() -%}
    {{ return(['people_supervised', 'appointments', 'attended_appointments', 'acceptable_absences',
               'unacceptable_absences', 'rescheduled_appointments', 'people_never_seen']) }}
{%- endmacro %}
