"""The metrics (dbt's semantic layer), for the data engineers and analysts who may read the
row-level marts: listed with their definitions, and queried with MetricFlow (``mf``) against
the published warehouse, read-only.

The metrics and semantic models are written once, in ``models/marts/*/_<folder>__metrics.yml``;
the reporting models render the same formulas (``macros/metrics.sql``).

MetricFlow reads ``<project>/target/semantic_manifest.json``, whose relation names carry the
DuckDB database name of the file the project was parsed for. So ``mf`` runs in a workspace of
its own (``target/metricflow/``: links to the project, and its own ``target/``), parsed for
the profile's ``metrics`` target: the published ``justice.duckdb`` opened read-only
(``access_mode: read_only``), never ``dev.duckdb``. Another dbt run in the project cannot
change what ``mf`` reads, and ``mf`` cannot write the warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from justice_warehouse.core.paths import project_fingerprint
from justice_warehouse.core.settings import Settings

METRICS_TARGET = "metrics"
SNAPSHOT_MACRO = Path("macros") / "metrics_snapshot.sql"
# What the workspace links to: what dbt needs to parse the project.
_PROJECT_LINKS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


class MetricsUnavailable(RuntimeError):
    """The metrics cannot be read or queried (no published warehouse, a parse error)."""


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: str
    formula: str
    description: str


def workspace(root: Path, settings: Settings) -> Path:
    """The folder ``mf`` runs in: links to the project, and a target folder of its own."""
    folder = settings.target_path(root) / "metricflow"
    folder.mkdir(parents=True, exist_ok=True)
    for name in _PROJECT_LINKS:
        link = folder / name
        source = (root / name).resolve()
        if link.is_symlink() and Path(os.readlink(link)) != source:
            link.unlink()  # a workspace left by a project at another path
        if not link.is_symlink():
            link.symlink_to(source)
    return folder


def _dbt_env(settings: Settings, target: Path, extra: dict[str, str]) -> dict[str, str]:
    """The environment of a dbt or mf run with its target and logs in ``target``."""
    env = dict(os.environ)
    env.update(settings.dbt_env())
    env.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_TARGET_PATH": str(target),
            "DBT_LOG_PATH": str(target / "logs"),
            **extra,
        }
    )
    return env


def _environment(folder: Path, warehouse: Path, settings: Settings) -> dict[str, str]:
    """The workspace's: the ``metrics`` target on ``warehouse``."""
    extra = {
        "DBT_PROFILES_DIR": str(folder),
        "JW_TARGET": METRICS_TARGET,
        "JW_METRICS_WAREHOUSE": str(warehouse),
    }
    return _dbt_env(settings, folder / "target", extra)


def parse_stamp(root: Path, warehouse: Path) -> str:
    """What a parse of the workspace was for: the project, its profile and the warehouse."""
    profile = hashlib.sha256((root / "profiles.yml").read_bytes()).hexdigest()
    return f"{project_fingerprint(root)} {profile} {warehouse.resolve()}"


def prepare(root: Path, warehouse: Path, settings: Settings) -> Path:
    """Parse the project for the ``metrics`` target on ``warehouse``; the workspace folder.

    Raises ``MetricsUnavailable`` when nothing is published there or the parse fails.
    """
    if not warehouse.is_file():
        raise MetricsUnavailable(
            f"no published warehouse at {warehouse}: run `make build` first "
            "(the metrics read the published justice.duckdb, never dev.duckdb)"
        )
    folder = workspace(root, settings)
    # dbt parses again only when the project, its profile or the warehouse changed (4 s even
    # when dbt's partial parsing has nothing to do).
    stamp = folder / "target" / "parsed_for.txt"
    parsed_for = parse_stamp(root, warehouse)
    manifest = folder / "target" / "semantic_manifest.json"
    if manifest.is_file() and stamp.is_file() and stamp.read_text() == parsed_for:
        return folder
    parsed = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", "parse", "--quiet", "--project-dir", str(folder)],
        cwd=folder,
        env=_environment(folder, warehouse, settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if parsed.returncode != 0:
        raise MetricsUnavailable(
            f"dbt parse for the metrics failed:\n{parsed.stdout[-2000:]}{parsed.stderr[-2000:]}"
        )
    stamp.write_text(parsed_for)
    return folder


def parse_project(root: Path, settings: Settings, target: Path) -> dict:
    """dbt parse of the project at ``root`` into ``target``; its semantic manifest. No
    warehouse is opened (a parse does not connect)."""
    env = _dbt_env(settings, target, {"JW_DUCKDB_PATH": str(target / "parse-only.duckdb")})
    command = [sys.executable, "-m", "dbt.cli.main", "parse", "--quiet"]
    command += ["--project-dir", str(root), "--profiles-dir", str(root)]
    parsed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if parsed.returncode != 0:
        raise MetricsUnavailable(
            f"dbt parse failed:\n{parsed.stdout[-2000:]}{parsed.stderr[-2000:]}"
        )
    return json.loads((target / "semantic_manifest.json").read_text())


def snapshot_text(manifest: dict) -> str:
    """``macros/metrics_snapshot.sql`` for a semantic manifest: what ``metric_sql`` reads of
    each metric and semantic model, for where dbt gives it no ``graph`` (dbt's unit tests
    compile a model without the project's metrics)."""
    inputs = ("measure", "numerator", "denominator")
    metrics = {
        metric["name"]: {
            "name": metric["name"],
            "type": metric["type"],
            "filter": metric["filter"],
            "type_params": {
                key: {"name": value["name"], "filter": value["filter"]}
                for key, value in metric["type_params"].items()
                if key in inputs and value
            },
        }
        for metric in sorted(manifest["metrics"], key=lambda item: item["name"])
    }
    semantic_models = {
        model["name"]: {
            "name": model["name"],
            "measures": [
                {"name": item["name"], "agg": item["agg"], "expr": item["expr"]}
                for item in model["measures"]
            ],
            "dimensions": [
                {"name": item["name"], "expr": item["expr"]} for item in model["dimensions"]
            ],
        }
        for model in sorted(manifest["semantic_models"], key=lambda item: item["name"])
    }
    # One line per metric and per semantic model, so that a change reads as a one-line diff.
    sections = []
    for key, items in (("metrics", metrics), ("semantic_models", semantic_models)):
        lines = ",\n".join(
            f"  {json.dumps(name)}: {json.dumps(item)}" for name, item in items.items()
        )
        sections.append(f'"{key}": {{\n{lines}\n }}')
    body = "{\n " + ",\n ".join(sections) + "\n}"
    return (
        "{#- GENERATED by `justice-warehouse metrics --write-snapshot` from the semantic layer\n"
        "    (models/marts/*/_<folder>__metrics.yml): do not edit. macros/metrics.sql reads it\n"
        "    only where dbt gives no graph (dbt's unit tests); every build reads the YAML.\n"
        "    tests/pytest/test_metrics.py fails when it is not current. -#}\n"
        "{% macro metrics_snapshot() -%}\n"
        "{%- set text -%}{% raw %}\n" + body + "\n{% endraw %}{%- endset -%}\n"
        "{{ return(fromjson(text)) }}\n"
        "{%- endmacro %}\n"
    )


def run_mf(folder: Path, warehouse: Path, settings: Settings, args: list[str]) -> int:
    """Run ``mf <args>`` in the workspace, on ``warehouse`` read-only; its exit code."""
    command = [str(Path(sys.executable).with_name("mf")), *args]
    env = _environment(folder, warehouse, settings)
    return subprocess.run(command, cwd=folder, env=env, check=False).returncode


def _measure_text(measure: dict) -> str:
    expression = measure.get("expr") or measure["name"]
    agg = measure["agg"]
    return f"count(distinct {expression})" if agg == "count_distinct" else f"{agg}({expression})"


def _filter_text(metric: dict, inputs: dict) -> str:
    templates = [
        where["where_sql_template"]
        for part in (metric.get("filter"), inputs.get("filter"))
        if part
        for where in part.get("where_filters", [])
    ]
    return f" where {' and '.join(templates)}" if templates else ""


def read_metrics(folder: Path) -> list[Metric]:
    """The metrics of the workspace's semantic manifest, each with its formula as text."""
    manifest = json.loads((folder / "target" / "semantic_manifest.json").read_text())
    measures = {
        measure["name"]: measure
        for model in manifest["semantic_models"]
        for measure in model["measures"]
    }
    metrics = []
    for metric in manifest["metrics"]:
        params = metric["type_params"]
        if metric["type"] == "simple":
            measure = params["measure"]
            formula = _measure_text(measures[measure["name"]]) + _filter_text(metric, measure)
        elif metric["type"] == "ratio":
            formula = f"{params['numerator']['name']} / {params['denominator']['name']}"
        else:
            formula = params.get("expr") or metric["type"]
        metrics.append(
            Metric(
                name=metric["name"],
                label=metric.get("label") or metric["name"],
                kind=metric["type"],
                formula=formula,
                description=" ".join((metric.get("description") or "").split()),
            )
        )
    return sorted(metrics, key=lambda item: item.name)


def metrics_text(metrics: list[Metric]) -> str:
    """The metrics as a plain-text list: name, label, kind, formula, description."""
    lines = []
    for metric in metrics:
        lines.append(f"{metric.name}  ({metric.label}; {metric.kind})")
        lines.append(f"    = {metric.formula}")
        lines.append(f"    {metric.description}")
    return "\n".join(lines)
