"""Every setting the tooling takes from the environment, read in this one module.

``Settings.from_env()`` is called once by the command line and the object is passed down;
no other module reads a ``JW_*`` variable (a test checks). The dbt profile reads the DuckDB
variables too, for plain ``dbt build``; ``run_dbt`` hands dbt the values resolved here, so
a build's dbt and its own connections always agree.

| variable | default | what |
|---|---|---|
| JW_PROJECT_DIR | nearest parent holding dbt_project.yml | the dbt project |
| JW_DUCKDB_THREADS | 2 | DuckDB threads |
| JW_DUCKDB_MEMORY_LIMIT | 3GB | DuckDB memory limit (spills past it; a build stays in 4 GiB) |
| JW_DUCKDB_TEMP_DIR | ``<database>.tmp`` | where DuckDB spills |
| JW_DUCKDB_PRESERVE_INSERTION_ORDER | false | lets DuckDB write large tables in less memory |
| JW_DUCKDB_MAX_TEMP_SIZE | computed per build (space.py) | cap on what DuckDB may spill |
| JW_STORAGE_VERSION | v1.4.0 | oldest DuckDB that must open the published files |
| JW_MAX_REJECTED_SHARE | 0.01 | share of a file's rows that may be rejected |
| JW_KEEP_VERSIONS | 3 | published versions kept for rollback |
| JW_KEEP_FAILED | 2 | failed candidates kept in full (older ones: reason and rejected rows) |
| JW_SPACE_FACTOR | 1.0 | scales the build's space estimate (0: no space check) |
| JW_WAREHOUSE_GROUP | unset | group that may read the row-level files (else owner only) |
| JW_READER_GROUP | unset | group that may read reporting.duckdb and exports/ (else everyone) |
| JW_MAX_BUILD_AGE_HOURS | 26 | `status` fails when the published build is older |
| JW_VALIDATION_KEEP_RUNS | 20 | validation runs kept in gx/uncommitted |
| JW_ENV, JW_PSEUDONYM_SALT | unset | production refuses the development salt |
| JW_WAREHOUSE | ``warehouse/justice.duckdb`` | the orchestrator's warehouse (CLI: --warehouse) |
| JW_DELIVERIES_DIR | ``warehouse/deliveries`` | the deliveries the orchestrator watches |
| JW_SENSOR_INTERVAL_SECONDS | 30 | how often the sensor looks |
| JW_GX_DIR | ``<project>/gx`` | the orchestrator's GX file context (CLI: --gx-dir) |
| DBT_TARGET_PATH, DBT_LOG_PATH | ``<project>/target``, ``<project>/logs`` | dbt's artifacts |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from justice_warehouse.core.paths import default_warehouse


@dataclass(frozen=True)
class Settings:
    project_dir: str | None = None
    duckdb_threads: str = "2"
    duckdb_memory_limit: str = "3GB"
    duckdb_temp_dir: str | None = None
    duckdb_preserve_insertion_order: str = "false"
    duckdb_max_temp_size: str | None = None
    storage_version: str = "v1.4.0"
    max_rejected_share: float = 0.01  # extract rows a file may lose before the build fails
    keep_versions: int = 3
    keep_failed: int = 2
    space_factor: float = 1.0
    warehouse_group: str | None = None
    reader_group: str | None = None
    max_build_age_hours: float = 26.0
    validation_keep_runs: int = 20
    environment: str = ""
    has_pseudonym_salt: bool = False
    dbt_target_path: str | None = None
    dbt_log_path: str | None = None
    warehouse: str | None = None
    deliveries_dir: str | None = None
    sensor_interval_seconds: int = 30
    gx_dir: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            project_dir=env.get("JW_PROJECT_DIR") or None,
            duckdb_threads=env.get("JW_DUCKDB_THREADS", defaults.duckdb_threads),
            duckdb_memory_limit=env.get("JW_DUCKDB_MEMORY_LIMIT", defaults.duckdb_memory_limit),
            duckdb_temp_dir=env.get("JW_DUCKDB_TEMP_DIR") or None,
            duckdb_preserve_insertion_order=env.get(
                "JW_DUCKDB_PRESERVE_INSERTION_ORDER", defaults.duckdb_preserve_insertion_order
            ),
            duckdb_max_temp_size=env.get("JW_DUCKDB_MAX_TEMP_SIZE") or None,
            storage_version=env.get("JW_STORAGE_VERSION", defaults.storage_version),
            max_rejected_share=float(
                env.get("JW_MAX_REJECTED_SHARE", str(defaults.max_rejected_share))
            ),
            keep_versions=int(env.get("JW_KEEP_VERSIONS", str(defaults.keep_versions))),
            keep_failed=int(env.get("JW_KEEP_FAILED", str(defaults.keep_failed))),
            space_factor=float(env.get("JW_SPACE_FACTOR", str(defaults.space_factor))),
            warehouse_group=env.get("JW_WAREHOUSE_GROUP") or None,
            reader_group=env.get("JW_READER_GROUP") or None,
            max_build_age_hours=float(
                env.get("JW_MAX_BUILD_AGE_HOURS", str(defaults.max_build_age_hours))
            ),
            validation_keep_runs=int(
                env.get("JW_VALIDATION_KEEP_RUNS", str(defaults.validation_keep_runs))
            ),
            environment=env.get("JW_ENV", ""),
            has_pseudonym_salt=bool(env.get("JW_PSEUDONYM_SALT")),
            dbt_target_path=env.get("DBT_TARGET_PATH") or None,
            dbt_log_path=env.get("DBT_LOG_PATH") or None,
            warehouse=env.get("JW_WAREHOUSE") or None,
            deliveries_dir=env.get("JW_DELIVERIES_DIR") or None,
            gx_dir=env.get("JW_GX_DIR") or None,
            sensor_interval_seconds=int(
                env.get("JW_SENSOR_INTERVAL_SECONDS", str(defaults.sensor_interval_seconds))
            ),
        )

    def duckdb_config(self, database: Path, keep_order: bool = False) -> dict[str, str]:
        """``duckdb.connect(config=...)`` settings for a connection to ``database``.

        ``keep_order`` forces insertion order to be kept (the extract loader numbers lines
        by it).
        """
        config = {
            "threads": self.duckdb_threads,
            "memory_limit": self.duckdb_memory_limit,
            "temp_directory": self.temp_directory(database),
            "preserve_insertion_order": "true"
            if keep_order
            else self.duckdb_preserve_insertion_order,
        }
        if self.duckdb_max_temp_size:
            config["max_temp_directory_size"] = self.duckdb_max_temp_size
        return config

    def temp_directory(self, database: Path) -> str:
        return self.duckdb_temp_dir or f"{database}.tmp"

    def dbt_env(self) -> dict[str, str]:
        """The resolved DuckDB settings as the variables the dbt profile reads."""
        env = {
            "JW_DUCKDB_THREADS": self.duckdb_threads,
            "JW_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "JW_DUCKDB_PRESERVE_INSERTION_ORDER": self.duckdb_preserve_insertion_order,
        }
        if self.duckdb_temp_dir:
            env["JW_DUCKDB_TEMP_DIR"] = self.duckdb_temp_dir
        if self.duckdb_max_temp_size:
            env["JW_DUCKDB_MAX_TEMP_SIZE"] = self.duckdb_max_temp_size
        return env

    def target_path(self, root: Path) -> Path:
        return Path(self.dbt_target_path) if self.dbt_target_path else root / "target"

    def log_path(self, root: Path) -> Path:
        return Path(self.dbt_log_path) if self.dbt_log_path else root / "logs"

    def warehouse_path(self, root: Path) -> Path:
        return Path(self.warehouse).resolve() if self.warehouse else default_warehouse(root)

    def gx_path(self, root: Path) -> Path:
        return Path(self.gx_dir).resolve() if self.gx_dir else root / "gx"

    def deliveries_path(self, root: Path) -> Path:
        """Never the tracked ``seeds/deliveries``: an ignored folder by default."""
        if self.deliveries_dir:
            return Path(self.deliveries_dir).resolve()
        return root / "warehouse" / "deliveries"
