"""What one build is asked to do: its input, its warehouse and its settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from justice_warehouse.check.report import ValidationReport
from justice_warehouse.core.paths import project_files, project_fingerprint
from justice_warehouse.core.settings import Settings
from justice_warehouse.gate.deliveries import DeliveryReport

DEFAULT_KEEP_VERSIONS = Settings.keep_versions


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    warehouse: Path
    extracts_dir: Path | None = None
    gx_dir: Path | None = None
    max_rejected_share: float = Settings.max_rejected_share
    keep_versions: int = DEFAULT_KEEP_VERSIONS
    keep_runs: int = Settings.validation_keep_runs
    # None: compare the published figures only for the bundled seeds (dbt var
    # published_figures_apply).
    published_figures: bool | None = None
    # Rebuild incremental models from scratch instead of from the published warehouse.
    full_refresh: bool = False
    # Load every delivery of extracts_dir again, in date order, into an empty warehouse
    # (what an older or changed delivery needs); implies full_refresh.
    replay: bool = False
    # The delivery date of a flat extracts folder (default: the build date; for the
    # bundled seeds, the dbt var bundled_delivery_date).
    delivery_date: date | None = None
    # Load the deliveries of a folder of deliveries only up to this date (later folders wait
    # for a later build): the orchestrator builds one delivery per run.
    last_delivery: date | None = None
    settings: Settings = field(default_factory=Settings)

    @property
    def is_bundled_synthetic(self) -> bool:
        """The input is the repository's own synthetic data (seeds/synthetic/, the
        delivery sequence under seeds/, or links to them), which the generator built to
        the figures."""
        if self.extracts_dir is None:
            return True
        seeds = (self.root / "seeds").resolve()
        deliveries = [child for child in self.extracts_dir.iterdir() if child.is_dir()]
        folders = deliveries or [self.extracts_dir]
        return all(folder.resolve().is_relative_to(seeds) for folder in folders)

    @property
    def published_figures_apply(self) -> bool:
        if self.published_figures is None:
            return self.is_bundled_synthetic
        return self.published_figures

    @cached_property
    def project(self) -> str:
        """The project's fingerprint (core/paths.py), taken once per build: the manifest
        records the published build's, and a build of another starts afresh."""
        return project_fingerprint(self.root)

    @cached_property
    def project_files(self) -> dict[str, str]:
        """The project's files and their digests (core/paths.py), which the manifest records:
        the next build compares them to know what changed."""
        return project_files(self.root)

    @property
    def rebuilds(self) -> bool:
        return self.full_refresh or self.replay

    @property
    def source_label(self) -> str:
        """The input as the manifest names it: a build from another source starts afresh."""
        return str(self.extracts_dir) if self.extracts_dir else "bundled synthetic seeds"

    @property
    def gx_path(self) -> Path:
        return self.gx_dir or self.root / "gx"

    def private_dirs(self) -> list[Path]:
        """Row-level folders outside the warehouse folder: dbt's target and logs, the
        validation results and Data Docs. (A configured DuckDB temp directory holds only
        files DuckDB creates under the build's umask.)"""
        return [
            self.settings.target_path(self.root),
            self.settings.log_path(self.root),
            self.gx_path / "uncommitted",
        ]


@dataclass
class BuildOutcome:
    """What one build found, filled in step by step, for a caller that reports it (the
    orchestrator turns it into asset materialisations and check results)."""

    build_id: str | None = None
    deliveries: list[DeliveryReport] = field(default_factory=list)
    # dbt's run_results.json of this build's dbt build, once it ran
    dbt_results: Path | None = None
    validation: ValidationReport | None = None
    published: bool = False
