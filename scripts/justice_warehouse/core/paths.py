"""Where the project and its outputs live."""

from __future__ import annotations

import hashlib
from pathlib import Path


def project_dir(configured: str | None = None) -> Path:
    """The dbt project root: ``configured`` (JW_PROJECT_DIR, from the settings), else the
    nearest parent holding dbt_project.yml."""
    if configured:
        root = Path(configured).resolve()
        if not (root / "dbt_project.yml").is_file():
            raise FileNotFoundError(f"JW_PROJECT_DIR={configured} holds no dbt_project.yml")
        return root
    for candidate in (Path.cwd(), *Path.cwd().parents):
        if (candidate / "dbt_project.yml").is_file():
            return candidate
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if (candidate / "dbt_project.yml").is_file():
            return candidate
    raise FileNotFoundError("no dbt_project.yml found; run from the project or set JW_PROJECT_DIR")


def synthetic_seed_dir(root: Path) -> Path:
    return root / "seeds" / "synthetic"


def default_warehouse(root: Path) -> Path:
    return root / "warehouse" / "justice.duckdb"


def deliveries_seed_dir(root: Path) -> Path:
    """The bundled delivery sequence: seeds/deliveries/YYYY-MM-DD/ (synthetic)."""
    return root / "seeds" / "deliveries"


# What a build's models and tests are made of: a change to any of these files since the
# published build means its incremental tables may hold rows made by other code, so the
# next build rebuilds and tests everything (build/steps.py). The extract folders under
# seeds/ are data, which the gate versions by delivery.
PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "tests/dbt", "seeds/reference")


def project_fingerprint(root: Path) -> str:
    """A digest of the project's models, macros, data tests, reference seeds and
    dbt_project.yml: each file's path (relative to ``root``) and content."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        base = root / part
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
