{#-
    An aggregate fingerprint of a group of records: the sum, over the group, of a 64-bit hash
    of each record's columns. Two groups with the same count and the same sum hold the same
    records (a difference goes unseen only if the hashes of the differing records happen to
    sum alike: about 1 in 2^64). Summed, not combined in order, so the rows' order is free.
    Engines name their fast non-cryptographic hash differently; the sum is taken as a
    decimal(38, 0) on Spark so that it cannot overflow (DuckDB sums its unsigned hashes as a
    128-bit integer). Spark's xxhash64 skips null arguments, so there two records that differ
    only in which of their columns is null can hash alike; DuckDB hashes a null as a value.
    A group whose fingerprint differs is then compared record by record, which names the
    records; equal fingerprints are taken as equal records.
-#}
{% macro fingerprint_sum(columns) -%}
    {{ return(adapter.dispatch('fingerprint_sum', 'justice_warehouse')(columns)) }}
{%- endmacro %}

{% macro default__fingerprint_sum(columns) -%}
    sum(hash({{ columns | join(', ') }}))
{%- endmacro %}

{% macro spark__fingerprint_sum(columns) -%}
    sum(cast(xxhash64({{ columns | join(', ') }}) as decimal(38, 0)))
{%- endmacro %}
