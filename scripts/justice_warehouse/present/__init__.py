"""Presentation: the static dashboards from ``reporting.duckdb``, their charts and screenshots."""
