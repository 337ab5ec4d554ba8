{#-
    The extract tables as the gate loaded them, for an engine that does not run the gate
    (Spark; the gate is DuckDB tooling). `justice-warehouse build` keeps every version of a
    delivered record in its source table, each with the delivery_date that sent it, and only
    ever adds rows; so the tables as they stood after a delivery D are the rows with
    delivery_date <= D.

        dbt run-operation load_delivered_sources --target spark \
            --args '{"folder": "/path/to/parquet", "through": "2019-04-30"}'

    replaces each source table of the project (models/staging/*/_*__sources.yml) in the target
    schema with those rows of <folder>/<table>.parquet (written from a published
    justice.duckdb: `copy main.<table> to '<folder>/<table>.parquet' (format parquet)`). A
    `dbt build --exclude path:seeds/synthetic` then reads them in place of the bundled seeds.
    The Spark parity test builds the delivery sequence this way, one delivery per build.
-#}
{% macro load_delivered_sources(folder, through) %}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error(
            'load_delivered_sources is for Spark; on DuckDB justice-warehouse build loads the extracts'
        ) }}
    {%- endif -%}
    {%- for node in graph.sources.values() | sort(attribute='name') %}
        {%- set relation = api.Relation.create(schema=node.schema, identifier=node.identifier) -%}
        {%- do adapter.create_schema(relation) -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- set create_sql -%}
            create table {{ relation }}
            using parquet
            as
            select *
            from parquet.`{{ folder }}/{{ node.identifier }}.parquet`
            where delivery_date <= cast('{{ through }}' as date)
        {%- endset -%}
        {%- do run_query(create_sql) -%}
        {{ log('loaded ' ~ relation ~ ' through ' ~ through, info=true) }}
    {%- endfor %}
{% endmacro %}
