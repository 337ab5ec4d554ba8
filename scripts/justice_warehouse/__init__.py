"""Python tooling for the justice-warehouse dbt project."""
