{#-
    Small-number suppression for a table of counts (people or cases), as UK official
    statistics do it.

    Primary: a count from 1 up to the threshold is replaced by null and flagged
    is_<column>_suppressed. Zero is shown.

    Secondary, so that no suppressed cell can be solved from totals published alongside it:
      * column rule: within each column group (the rows sharing group_by; the whole table
        when empty), a count column with exactly one suppressed cell also suppresses its
        smallest other cell (non-zero first), since the column adds up to a published total;
      * row rule: within a row, for each additive group {total, parts} (total = sum of parts),
        exactly one suppressed cell also suppresses the smallest other part (or the total).
    The two rules run `rounds` times in turn, as one rule can create a lone cell for the
    other; a test checks that no group is left with exactly one suppressed cell.

    Linked grains (linked_groups, instead of group_by): one relation holds a measure at several
    grains, the coarser rows marked 'all' in a key (e.g. a provider's London-wide row has
    borough_code 'all'), so each total is a cell beside its parts. Each linked group is
    {partition: [columns], members: SQL condition, total: SQL condition, columns: [count
    columns], optional, all by default}: in those columns the members of one partition (the
    parts and their total row) add up (total = sum of the other members), and
    the column rule runs on each linked group in turn, so a cell hidden at one grain is
    protected at every other. total is read by the build's exact audit
    (check/disclosure.py), not here, except in a group with total_follows_members: there the
    column rule does not run; once every other cell is decided, a total row's cell is hidden
    exactly when one of its members is (or it is small itself). A shown total is then a sum
    of shown cells, and a hidden one adds a new unknown with its own sum, so the grain tells
    a reader nothing the finer cells did not (its row sums are the sums of its members' row
    sums); only the sum of a total's hidden members could be determined, which the exact
    audit tests. For a total over many cells (a borough's year of months), where the column
    rule would spread suppression through every grain linked to it.

    Exemption: a cell listed in the suppression_allow_list seed for this model, column and key
    is shown as long as it equals its published figure (published_figures seed); any other
    value is suppressed as usual. An exempt cell is public, so it is never chosen for
    secondary suppression (hiding it would protect nothing).

    Each calling model sets its arguments once, as a `disclosure` dict in its
    config(meta=...) (threshold from var suppression_threshold, key, count, group and
    additive columns), and passes it here with **disclosure; the build's disclosure check
    (scripts/justice_warehouse/check/disclosure.py) reads the same dict from dbt's manifest.

    model_name: the calling model's name, as the allow list spells it.
    relation: a CTE holding key_columns, passthrough_columns and count_columns (integers).
    Renders a select statement (with its own CTEs) to use as a CTE body.
-#}
{% macro suppress_small_counts(
    model_name,
    relation,
    threshold,
    key_columns,
    count_columns,
    passthrough_columns=[],
    group_by=[],
    additive_groups=[],
    linked_groups=[],
    rounds=3
) -%}
    {%- set key_parts = [] -%}
    {%- for key in key_columns -%}
        {%- if not loop.first -%}{%- do key_parts.append("'|'") -%}{%- endif -%}
        {%- do key_parts.append(
            "coalesce(cast(" ~ relation ~ "." ~ key ~ " as " ~ dbt.type_string() ~ "), '')"
        ) -%}
    {%- endfor -%}
    {%- set key_text = dbt.concat(key_parts) if key_parts | length > 1 else key_parts[0] -%}
    {%- set column_groups = linked_groups or [{'partition': group_by}] -%}
    {%- set order_keys = key_columns | join(', ') -%}
    {%- set allowed_flags = [] -%}
    {%- for column in count_columns -%}{%- do allowed_flags.append('a_' ~ column) -%}{%- endfor -%}
    {%- set carried = key_columns + passthrough_columns + count_columns + allowed_flags -%}

    with

    allowed as (
        select
            allow_list.column_name,
            allow_list.key_value,
            figures.published_value
        from {{ ref('suppression_allow_list') }} as allow_list
        inner join {{ ref('published_figures') }} as figures
            on allow_list.figure_id = figures.figure_id
        where allow_list.model_name = '{{ model_name }}'
    ),

    base as (
        select
            {% for column in key_columns + passthrough_columns + count_columns -%}
                {{ relation }}.{{ column }},
            {% endfor -%}
            {% for column in count_columns -%}
                allowed_{{ column }}.key_value is not null as a_{{ column }},
            {% endfor -%}
            {% for column in count_columns -%}
                coalesce(
                    {{ relation }}.{{ column }} between 1 and {{ threshold }}
                    and allowed_{{ column }}.key_value is null,
                    false
                ) as s_{{ column }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from {{ relation }}
        {% for column in count_columns -%}
            left join allowed as allowed_{{ column }}
                on
                    allowed_{{ column }}.column_name = '{{ column }}'
                    and allowed_{{ column }}.key_value = {{ key_text }}
                    and cast(allowed_{{ column }}.published_value as {{ dbt.type_bigint() }})
                    = {{ relation }}.{{ column }}
        {% endfor %}
    ),

    {% set ns = namespace(previous='base') -%}
    {% for round in range(rounds) %}
        {% for linked in column_groups if not linked.get('total_follows_members') %}
        {%- set member = linked.get('members') -%}
        {%- set partition = linked.partition + (['case when ' ~ member ~ ' then 1 else 0 end'] if member else []) -%}
        {%- set cte = 'column_rule_' ~ round ~ ('_' ~ loop.index0 if linked_groups else '') %}
        {{ cte }} as (
            select
                {% for column in carried -%}
                    {{ column }},
                {% endfor -%}
                {% for column in count_columns -%}
                    {% if column not in linked.get('columns', count_columns) -%}
                    s_{{ column }},
                    {% else -%}
                    (
                        s_{{ column }}
                        or (
                            {{ column }} is not null
                            {% if member %}and {{ member }}{% endif %}
                            and not a_{{ column }}
                            and sum(case when s_{{ column }} then 1 else 0 end) over (
                                {%- if partition %}partition by {{ partition | join(', ') }}{% endif -%}
                            ) = 1
                            and row_number() over (
                                partition by
                                    {% for group_column in partition %}{{ group_column }}, {% endfor -%}
                                    s_{{ column }},
                                    a_{{ column }},
                                    case when {{ column }} is null then 1 else 0 end
                                order by
                                    case when {{ column }} = 0 then 1 else 0 end,
                                    {{ column }},
                                    {{ order_keys }}
                            ) = 1
                            and not s_{{ column }}
                        )
                    ) as s_{{ column }},
                    {% endif -%}
                {% endfor %}
                1 as column_rule_marker
            from {{ ns.previous }}
        ),
        {% set ns.previous = cte %}
        {% endfor %}

        {% if additive_groups %}
        row_rule_{{ round }} as (
            select
                {% for column in carried -%}
                    {{ column }},
                {% endfor -%}
                {% set decided = [] -%}
                {% for additive in additive_groups -%}
                    {%- set cells = additive.parts + [additive.total] -%}
                    {%- set lone -%}
                        ({% for cell in cells %}case when s_{{ cell }} then 1 else 0 end{% if not loop.last %} + {% endif %}{% endfor %}) = 1
                    {%- endset -%}
                    {%- set rank_keys = [] -%}
                    {% for cell in cells -%}
                        {%- do rank_keys.append(
                            "case when s_" ~ cell ~ " or a_" ~ cell ~ " or " ~ cell
                            ~ " is null then 1e18 else "
                            ~ ("1e15" if cell == additive.total else "0")
                            ~ " + case when " ~ cell ~ " = 0 then 1e14 else 0 end + "
                            ~ cell ~ " * 100 + " ~ loop.index ~ " end"
                        ) -%}
                    {% endfor -%}
                    {% for cell in cells -%}
                        {%- do decided.append(cell) -%}
                        (
                            s_{{ cell }}
                            or (
                                {{ lone }}
                                and not s_{{ cell }}
                                and {{ rank_keys[loop.index0] }} < 1e18
                                and {{ rank_keys[loop.index0] }} = least({{ rank_keys | join(', ') }})
                            )
                        ) as s_{{ cell }},
                    {% endfor -%}
                {% endfor -%}
                {% for column in count_columns if column not in decided -%}
                    s_{{ column }},
                {% endfor -%}
                1 as row_rule_marker
            from {{ ns.previous }}
        ),
        {% set ns.previous = 'row_rule_' ~ round %}
        {% endif %}
    {% endfor %}

    {% for linked in column_groups if linked.get('total_follows_members') %}
    {%- set cte = 'total_follows_members_' ~ loop.index0 %}
    {{ cte }} as (
        select
            {% for column in carried -%}
                {{ column }},
            {% endfor -%}
            {% for column in count_columns -%}
                {% if column not in linked.get('columns', count_columns) -%}
                s_{{ column }},
                {% else -%}
                case
                    when {{ linked.total }} then (
                        coalesce({{ column }} between 1 and {{ threshold }} and not a_{{ column }}, false)
                        or max(
                            case
                                when ({{ linked.members }}) and not ({{ linked.total }}) and s_{{ column }}
                                    then 1
                                else 0
                            end
                        ) over (partition by {{ linked.partition | join(', ') }}) = 1
                    )
                    else s_{{ column }}
                end as s_{{ column }},
                {% endif -%}
            {% endfor %}
            1 as total_rule_marker
        from {{ ns.previous }}
    ),
    {% set ns.previous = cte %}
    {% endfor %}

    suppressed as (
        select
            {% for column in key_columns + passthrough_columns -%}
                {{ column }},
            {% endfor -%}
            {% for column in count_columns -%}
                case when s_{{ column }} then null else {{ column }} end as {{ column }},
                s_{{ column }} as is_{{ column }}_suppressed{% if not loop.last %},{% endif %}
            {% endfor %}
        from {{ ns.previous }}
    )

    select * from suppressed
{%- endmacro %}

{#- Each count column followed by its suppression flag, for a suppressed table's final select. -#}
{% macro suppressed_columns(count_columns) -%}
    {%- for column in count_columns %}
    {{ column }},
    is_{{ column }}_suppressed{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
