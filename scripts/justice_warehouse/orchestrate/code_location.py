"""The code location ``dagster dev -m justice_warehouse.orchestrate.code_location`` loads
(``make orchestrate``): the definitions, with the settings of the environment. Loading it
runs ``dbt parse`` (partial parsing keeps that to seconds after the first time)."""

from __future__ import annotations

from justice_warehouse.core.settings import Settings
from justice_warehouse.orchestrate.definitions import make_definitions

defs = make_definitions(Settings.from_env())
