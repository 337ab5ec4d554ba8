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
# published build means its incremental tables may hold rows made by other code. The next
# build rebuilds and tests what the changed files define and everything downstream of it
# when every change is to a model's or a data test's SQL, and everything otherwise
# (build/steps.py, ``changed_sql_files``). The extract folders under seeds/ are data, which
# the gate versions by delivery.
PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "tests/dbt", "seeds/reference")
# The changes a build can scope to what they define and what is downstream of it: a model's
# or a singular data test's SQL file, changed or added (not a generic test's, under
# generic/: a macro by another name).
SCOPED_CHANGES = ("models/", "tests/dbt/")


def _project_paths(root: Path) -> list[Path]:
    paths: list[Path] = []
    for part in PROJECT_PARTS:
        base = root / part
        paths += sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
    return paths


def project_fingerprint(root: Path) -> str:
    """A digest of the project's models, macros, data tests, reference seeds and
    dbt_project.yml: each file's path (relative to ``root``) and content."""
    digest = hashlib.sha256()
    for path in _project_paths(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def project_files(root: Path) -> dict[str, str]:
    """Each file of ``PROJECT_PARTS`` (its path relative to ``root``) and its content's
    SHA-256: what the manifest records, so that the next build knows which files changed."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in _project_paths(root)
    }


def changed_sql_files(
    published: dict[str, str] | None, current: dict[str, str]
) -> list[str] | None:
    """The files changed or added since ``published`` (``project_files`` of the published
    build) when every one of them is a model's or a singular data test's SQL; ``None`` when
    it is unknown (a manifest from before it recorded the files) or another file changed or
    was removed. Those others reach models in ways dbt's graph does not show (a macro, a
    YAML file's tests, contracts and metric formulas, which models read through macros; a
    var in dbt_project.yml; a reference seed, by which the gate judged every delivery), and a
    removed model would leave its table behind, so the build then rebuilds everything."""
    if published is None:
        return None
    changed = sorted(name for name, digest in current.items() if published.get(name) != digest)
    removed = set(published) - set(current)
    scoped = all(
        name.endswith(".sql") and name.startswith(SCOPED_CHANGES) and "/generic/" not in name
        for name in changed
    )
    return changed if scoped and not removed else None
