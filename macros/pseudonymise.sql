{#-
    Replace a person identifier by a salted hash. The salt comes from the environment
    (JW_PSEUDONYM_SALT); the documented development salt is only for the synthetic data.
    Empty or null identifiers stay null.
-#}
{% macro pseudonymise(column_name) -%}
    {%- set salt = env_var('JW_PSEUDONYM_SALT', 'justice-warehouse-development-salt') -%}
    case
        when nullif(trim({{ column_name }}), '') is null then null
        else {{ dbt.hash(dbt.concat(["'" ~ salt ~ "|'", "trim(" ~ column_name ~ ")"])) }}
    end
{%- endmacro %}
