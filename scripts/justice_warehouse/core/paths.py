"""Where the project and its outputs live."""

from __future__ import annotations

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
