{#-
    Replace a person identifier by a keyed hash: sha256 of a secret salt and the trimmed
    value. The salt comes from the environment (JW_PSEUDONYM_SALT) and is never committed.
    With JW_ENV=production a build refuses to run without it; otherwise the documented
    development salt below serves the synthetic data only. Empty identifiers stay null.
-#}
{% macro pseudonym_salt() -%}
    {%- set salt = env_var('JW_PSEUDONYM_SALT', '') -%}
    {%- if salt == '' and env_var('JW_ENV', 'development') == 'production' -%}
        {{ exceptions.raise_compiler_error(
            "JW_ENV=production but JW_PSEUDONYM_SALT is not set: refusing to pseudonymise "
            ~ "person identifiers with the public development salt"
        ) }}
    {%- endif -%}
    {{ return(salt if salt != '' else 'justice-warehouse-development-salt') }}
{%- endmacro %}

{% macro pseudonymise(column_name) -%}
    case
        when nullif(trim({{ column_name }}), '') is null then null
        else {{ sha256_hex(dbt.concat([
            "'" ~ pseudonym_salt() | replace("'", "''") ~ "|'",
            "trim(" ~ column_name ~ ")",
        ])) }}
    end
{%- endmacro %}

{#- Hex sha256 of a string expression; engines name the function differently. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'justice_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}
