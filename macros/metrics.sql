{#-
    A metric's formula, rendered from its definition in the semantic layer (the
    models/marts/*/_<folder>__metrics.yml files, read from dbt's `graph`), so that the
    reporting models compute each measure as MetricFlow does and the formula is written once.

    form:
      'aggregate' (default): an aggregate over the rows of the metric's semantic model (or any
          relation with the columns its measures read), e.g. sum(case when is_take_up then 1
          else 0 end); a metric's filter becomes a condition inside the aggregate.
      'row': one row already is the metric's grain (the semantic model's own rows): a sum,
          max or min measure is its expression, unaggregated.
      'columns': the inputs of a ratio are columns named after its input metrics, computed
          earlier in the model (e.g. took_up / nullif(referrals, 0)).
    cast_as: the type to cast the result to (e.g. dbt.type_bigint() for counts).

    Supported: simple and ratio metrics; measures with agg sum, count, count_distinct,
    average, max and min; a filter that is one boolean dimension ({{ Dimension('entity__name') }}) of the
    metric's semantic model. Anything else fails at compile time rather than computing
    something else. Ratios divide by nullif(denominator, 0), as MetricFlow does; scaling
    (percentages) and rounding are the calling model's presentation.
-#}
{% macro metric_sql(metric_name, form='aggregate', cast_as=none) -%}
    {%- if not execute -%}
        {{- return('cast(null as ' ~ (cast_as or dbt.type_float()) ~ ')') -}}
    {%- endif -%}
    {%- set rendered = _metric_formula(metric_name, form) -%}
    {%- if cast_as -%}
        {{- return('cast(' ~ rendered ~ ' as ' ~ cast_as ~ ')') -}}
    {%- endif -%}
    {{- return(rendered) -}}
{%- endmacro %}

{#- The semantic layer: dbt's graph; in dbt's unit tests, which compile a model without the
    project's metrics, the generated snapshot of it (macros/metrics_snapshot.sql). -#}
{% macro _semantic_layer() -%}
    {{- return(graph if graph.get('metrics') else metrics_snapshot()) -}}
{%- endmacro %}

{% macro _metric_node(metric_name) -%}
    {%- for metric in _semantic_layer().metrics.values() if metric.name == metric_name -%}
        {{- return(metric) -}}
    {%- endfor -%}
    {{- exceptions.raise_compiler_error("metric_sql: no metric named '" ~ metric_name ~ "'") -}}
{%- endmacro %}

{% macro _metric_measure(measure_name) -%}
    {%- for semantic_model in _semantic_layer().semantic_models.values() -%}
        {%- for measure in semantic_model.measures if measure.name == measure_name -%}
            {{- return({'measure': measure, 'semantic_model': semantic_model}) -}}
        {%- endfor -%}
    {%- endfor -%}
    {{- exceptions.raise_compiler_error("metric_sql: no measure named '" ~ measure_name ~ "'") -}}
{%- endmacro %}

{#- The SQL condition of a metric's where filters: each must be one boolean dimension. -#}
{% macro _metric_condition(metric_name, filters, semantic_model) -%}
    {%- set conditions = [] -%}
    {%- for where in (filters or {}).get('where_filters', []) -%}
        {%- set template = where.where_sql_template | trim -%}
        {%- set head = "{{ Dimension('" -%}
        {%- set tail = "') }}" -%}
        {%- if not (template.startswith(head) and template.endswith(tail)) -%}
            {{- exceptions.raise_compiler_error(
                "metric_sql: metric '" ~ metric_name ~ "' has the filter " ~ template
                ~ "; only one boolean dimension, {{ Dimension('entity__name') }}, is supported"
            ) -}}
        {%- endif -%}
        {%- set dimension_name = template[head | length:-(tail | length)].split('__')[-1] -%}
        {%- set found = [] -%}
        {%- for dimension in semantic_model.dimensions if dimension.name == dimension_name -%}
            {%- do found.append(dimension.expr or dimension.name) -%}
        {%- endfor -%}
        {%- if not found -%}
            {{- exceptions.raise_compiler_error(
                "metric_sql: metric '" ~ metric_name ~ "' filters on " ~ dimension_name
                ~ ", which is not a dimension of " ~ semantic_model.name
            ) -}}
        {%- endif -%}
        {%- do conditions.append('(' ~ found[0] ~ ')') -%}
    {%- endfor -%}
    {{- return(conditions | join(' and ')) -}}
{%- endmacro %}

{% macro _metric_formula(metric_name, form) -%}
    {%- set metric = _metric_node(metric_name) -%}
    {%- if metric.type == 'simple' -%}
        {%- if form == 'columns' -%}
            {{- return(metric_name) -}}
        {%- endif -%}
        {%- set input = metric.type_params.measure -%}
        {%- set found = _metric_measure(input.name) -%}
        {%- set measure = found.measure -%}
        {%- set condition = [
            _metric_condition(metric_name, metric.filter, found.semantic_model),
            _metric_condition(metric_name, input.filter, found.semantic_model),
        ] | reject('equalto', '') | join(' and ') -%}
        {%- set expression = measure.expr or measure.name -%}
        {%- set value = ('case when ' ~ condition ~ ' then ' ~ expression ~ ' end')
            if condition else expression -%}
        {%- if form == 'row' -%}
            {%- if measure.agg not in ['sum', 'max', 'min'] -%}
                {{- exceptions.raise_compiler_error(
                    "metric_sql: metric '" ~ metric_name ~ "' (" ~ measure.agg
                    ~ ") has no row form; only sum, max and min do"
                ) -}}
            {%- endif -%}
            {{- return(value) -}}
        {%- elif measure.agg in ['sum', 'max', 'min', 'count'] -%}
            {{- return(measure.agg ~ '(' ~ value ~ ')') -}}
        {%- elif measure.agg == 'count_distinct' -%}
            {{- return('count(distinct ' ~ value ~ ')') -}}
        {%- elif measure.agg == 'average' -%}
            {{- return('avg(' ~ value ~ ')') -}}
        {%- endif -%}
        {{- exceptions.raise_compiler_error(
            "metric_sql: measure '" ~ measure.name ~ "' aggregates by " ~ measure.agg
            ~ ", which metric_sql does not render"
        ) -}}
    {%- elif metric.type == 'ratio' -%}
        {%- set numerator = metric.type_params.numerator -%}
        {%- set denominator = metric.type_params.denominator -%}
        {%- if numerator.filter or denominator.filter or metric.filter -%}
            {{- exceptions.raise_compiler_error(
                "metric_sql: ratio '" ~ metric_name ~ "' filters its inputs; filter the input metrics"
            ) -}}
        {%- endif -%}
        {{- return(
            '(' ~ _metric_formula(numerator.name, form) ~ ') / nullif('
            ~ _metric_formula(denominator.name, form) ~ ', 0)'
        ) -}}
    {%- endif -%}
    {{- exceptions.raise_compiler_error(
        "metric_sql: metric '" ~ metric_name ~ "' is " ~ metric.type ~ "; only simple and ratio render"
    ) -}}
{%- endmacro %}
