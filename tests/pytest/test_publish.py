"""Write-audit-publish: a failed build never changes the published files, readers never see
an error during a rebuild, and rollback works (a killed build: test_operations.py)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import cli_env, run_cli
from extract_faults import FAULTS, extract_dir
from justice_warehouse.build import steps
from justice_warehouse.build.options import BuildOptions
from justice_warehouse.build.published import audit_window
from justice_warehouse.core.settings import Settings
from justice_warehouse.core.storage import file_digest
from justice_warehouse.operate import soundness
from justice_warehouse.publish.lock import build_lock
from justice_warehouse.synth.register import rj_outcome_counts

PUBLISHED = ("justice.duckdb", "reporting.duckdb", "manifest.json")


def digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in PUBLISHED}


def table_digests(path: Path, schemas: tuple[str, ...] = ("marts", "reporting")) -> dict[str, str]:
    """A digest of every table's sorted contents, to compare two builds' marts."""
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {schemas!r} order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{table}": hashlib.sha256(
                repr(
                    connection.execute(f"select * from {schema}.{table} order by all").fetchall()
                ).encode()
            ).hexdigest()
            for schema, table in tables
        }


def build_args(directory: Path, tmp: Path) -> list[str]:
    """``build`` into ``directory``, its GX results under ``tmp``."""
    return ["build", "--warehouse", str(directory / "justice.duckdb"), "--gx-dir", str(tmp / "gx")]


def project_env(project_root: Path, tmp: Path, **variables: str) -> dict[str, str]:
    env = cli_env(tmp)
    env["JW_PROJECT_DIR"] = str(project_root)
    env.update(variables)
    return env


def build(project_root: Path, directory: Path, tmp: Path, *extra: str, **variables: str):
    """``justice-warehouse build`` into ``directory``, with ``variables`` set."""
    env = project_env(project_root, tmp, **variables)
    return run_cli([*build_args(directory, tmp), *extra], cwd=project_root, env=env)


@pytest.fixture(scope="module")
def published(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse folder holding the session's published build."""
    directory = tmp_path_factory.mktemp("published")
    for name in PUBLISHED:
        shutil.copy2(built_warehouse.parent / name, directory / name)
    return directory


def test_a_build_publishes_both_files(published: Path, built_warehouse: Path):
    manifest = json.loads((published / "manifest.json").read_text())
    assert manifest["source"] == "bundled synthetic seeds"
    with duckdb.connect(str(published / "reporting.duckdb"), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables order by 2"
        ).fetchall()
        outcomes = dict(
            connection.execute(
                "select outcome, referrals from reporting.rj_referral_outcomes"
            ).fetchall()
        )
    assert {schema for schema, _ in tables} == {"main"}
    assert {name for _, name in tables} == {
        "probation_engagement_borough_annual",
        "probation_engagement_london_monthly",
        "probation_engagement_monthly",
        "programme_value_for_money",
        "programme_value_for_money_as_at",
        "published_figure_checks",
        "reoffending_costs_annual",
        "rj_funnel_by_borough",
        "rj_funnel_monthly",
        "rj_funnel_monthly_as_at",
        "rj_referral_outcomes",
        "rj_referral_outcomes_as_at",
        "rj_status_movement",
    }
    assert outcomes == rj_outcome_counts()
    # The row-level warehouse: every layer, and its reporting schema row for row the file BI
    # reads (both ways, duplicates counted).
    with duckdb.connect(str(published / "justice.duckdb"), read_only=True) as connection:
        schemas = {
            schema
            for (schema,) in connection.execute(
                "select distinct table_schema from information_schema.tables"
            ).fetchall()
        }
        connection.execute(f"attach '{published / 'reporting.duckdb'}' as bi (read_only)")
        differing = [
            name
            for _, name in tables
            if connection.execute(
                f"select count(*) from ((select * from reporting.{name} except all "
                f"select * from bi.main.{name}) union all (select * from bi.main.{name} "
                f"except all select * from reporting.{name}))"
            ).fetchall()[0][0]
        ]
    assert {"audit", "staging", "intermediate", "marts", "reporting"} <= schemas
    assert differing == []
    # Each step's seconds, recorded for the benchmark and the operator.
    record = json.loads((built_warehouse.parent / "last_run.json").read_text())
    assert record["outcome"] == "published"
    assert list(record["step_seconds"]) == [
        "load",
        "dbt",
        "disclosure",
        "validation",
        "docs",
        "publish",
    ]
    assert all(seconds > 0 for seconds in record["step_seconds"].values())


def test_a_build_knows_the_published_bytes_are_sound_without_reading_them_whole(
    published: Path, project_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    """The manifest records the published file's digest. A build that finds the same bytes
    starts from them without reading every column (operate/soundness.py); other bytes are
    read whole first. ``validate`` writes its audit rows only while no build holds the folder,
    and records the new bytes."""
    directory = tmp_path / "warehouse"
    shutil.copytree(published, directory, ignore=shutil.ignore_patterns("versions", "failed"))
    warehouse = directory / "justice.duckdb"
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["warehouse_digest"] == file_digest(warehouse)
    read_whole = []
    monkeypatch.setattr(
        steps, "published_damage", lambda *args, **_: read_whole.append(args[0]) and None
    )
    options = BuildOptions(root=project_root, warehouse=warehouse)
    assert steps._start_candidate(options, tmp_path / "candidate.duckdb").incremental
    assert read_whole == []

    def audit_row() -> None:
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute("create table audit.written_outside_a_build as select 1 as x")

    audit_row()  # the file's bytes change outside a build
    assert steps._start_candidate(options, tmp_path / "candidate.duckdb").incremental
    assert read_whole == [directory]
    assert "is not the bytes its build published" in capsys.readouterr().out

    # validate's audit window: not while a build holds the folder; then the new bytes recorded
    with build_lock(directory), audit_window(warehouse, Settings()) as free:
        assert not free
    assert json.loads((directory / "manifest.json").read_text())["warehouse_digest"] != (
        file_digest(warehouse)
    )
    with audit_window(warehouse, Settings()) as free:
        assert free
    assert json.loads((directory / "manifest.json").read_text())["warehouse_digest"] == (
        file_digest(warehouse)
    )
    assert steps._start_candidate(options, tmp_path / "candidate.duckdb").incremental
    assert read_whole == [directory]


def test_status_and_rollback_read_whole_only_files_not_as_published(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The manifest records both published files' digests: the soundness check behind
    `status` and `rollback` reads a file whole only when its bytes are not those its build
    published (operate/soundness.py), and still finds a damaged one."""
    directory = tmp_path / "warehouse"
    shutil.copytree(published, directory, ignore=shutil.ignore_patterns("versions", "failed"))
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["reporting_digest"] == file_digest(directory / "reporting.duckdb")
    read_whole: list[str] = []
    judge = soundness.damage
    monkeypatch.setattr(
        soundness, "damage", lambda path: read_whole.append(path.name) or judge(path)
    )
    assert soundness.published_damage(directory) is None
    assert read_whole == []

    with duckdb.connect(str(directory / "reporting.duckdb")) as connection:
        connection.execute("create table main.written_outside_a_build as select 1 as x")
    assert soundness.published_damage(directory) is None
    assert read_whole == ["reporting.duckdb"]

    overwrite_blocks(directory / "reporting.duckdb")
    damaged = soundness.published_damage(directory)
    assert damaged and f"{directory / 'reporting.duckdb'} cannot be read whole" in damaged


@pytest.mark.parametrize(
    "fault",
    [
        "missing_file",
        "renamed_column",
        "impossible_date",
        "duplicate_primary_key",
        "negative_money",
        "wrong_encoding",
        "wrong_delimiter",
        "empty_file",
        "decision_before_referral",
        "stage_without_take_up",
        "money_with_three_decimals",
        "timestamp_with_an_offset",
    ],
)
def test_bad_extract_fails_and_leaves_published_files_unchanged(
    fault: str, published: Path, project_root: Path, tmp_path: Path
):
    inject, max_share, message = FAULTS[fault]
    extracts = extract_dir(tmp_path)
    inject(extracts)
    before = digests(published)
    result = build(
        project_root,
        published,
        tmp_path,
        "--extracts",
        str(extracts),
        "--max-rejected-share",
        str(max_share),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stderr
    assert "published files unchanged" in result.stderr
    assert digests(published) == before
    failed = sorted((published / "failed").iterdir())[-1]
    assert (failed / "justice.duckdb").is_file()
    assert message.split(": ", 1)[-1][:30] in (failed / "reason.txt").read_text()


# Two failing builds and their candidates (a minute and a half): in the long tier, so that
# make test stays within 15 minutes; test_orchestrate's failing checks (a dbt test, an
# expectation) publish nothing in make test.
@pytest.mark.long
def test_failing_dbt_test_and_failing_expectation_leave_published_files_unchanged(
    published: Path, project_root: Path, tmp_path: Path
):
    before = digests(published)
    # A valid extract whose outcome counts no longer match the published figures: dbt fails
    # (extracts are compared with the published figures only when asked to).
    extracts = extract_dir(tmp_path / "a")
    path = extracts / "rj_referrals.csv"
    path.write_text(path.read_text().replace(",declined,", ",took_up,", 1))
    result = build(
        project_root, published, tmp_path / "a", "--extracts", str(extracts), "--published-figures"
    )
    assert result.returncode == 1
    assert "dbt build failed" in result.stderr
    assert "published_figure_checks_no_mismatch" in result.stderr
    # the message shows the failing rows with their keys, not only "Got 2 results"
    assert "failing row: figure_id='rj_declined'" in result.stderr
    assert "failing row: figure_id='rj_took_up'" in result.stderr
    assert digests(published) == before

    # Valid data that passes every dbt test but fails an expectation: a fifth of the
    # people never attend, above the never-seen bound of the probation suite.
    extracts = extract_dir(tmp_path / "b")
    path = extracts / "probation_appointments.csv"
    lines = path.read_text().split("\n")
    people = sorted({line.split(",")[1] for line in lines[1:] if line})
    absent = set(people[: len(people) // 5])
    outcome = lines[0].split(",").index("outcome_code")

    def absent_line(line: str) -> str:
        fields = line.split(",")
        fields[outcome] = "AFTA"
        return ",".join(fields)

    lines = [
        absent_line(line) if i and line and line.split(",")[1] in absent else line
        for i, line in enumerate(lines)
    ]
    path.write_text("\n".join(lines))
    result = build(project_root, published, tmp_path / "b", "--extracts", str(extracts))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED probation_never_seen: share of people never seen" in result.stdout
    assert "validation failed" in result.stderr
    assert digests(published) == before


READER = """
import sys, time, duckdb
path, stop_file = sys.argv[1], sys.argv[2]
import os
ok = errors = 0
messages = []
while not os.path.exists(stop_file):
    try:
        with duckdb.connect(path, read_only=True) as connection:
            total = connection.execute(
                "select sum(referrals) from reporting.rj_referral_outcomes").fetchall()[0][0]
        assert total == 988, total
        ok += 1
    except Exception as error:
        errors += 1
        messages.append(repr(error)[:200])
    time.sleep(0.01)
print(ok, errors, messages[:3])
"""


@pytest.fixture(scope="module")
def rebuilt(published: Path, project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A second build into the published folder from the same inputs, with a reader polling
    reporting.duckdb all the while; what the tests below need to know of it."""
    tmp = tmp_path_factory.mktemp("rebuild")
    stop = tmp / "stop"
    first = json.loads((published / "manifest.json").read_text())["build_id"]
    before = digests(published)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published / "reporting.duckdb"), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        result = build(project_root, published, tmp)
    finally:
        stop.touch()
        output = reader.communicate(timeout=60)[0]
    assert result.returncode == 0, result.stdout + result.stderr
    return {"first": first, "before": before, "reader_output": output}


def test_readers_never_fail_during_a_rebuild_and_rebuild_is_identical(
    published: Path, rebuilt: dict
):
    output = rebuilt["reader_output"]
    ok, errors = (int(value) for value in output.split()[:2])
    assert errors == 0, output
    assert ok > 20
    # the previous version is kept, and the rebuild from the same inputs is identical
    previous = published / "versions" / rebuilt["first"]
    assert (previous / "justice.duckdb").is_file()
    assert table_digests(previous / "justice.duckdb") == table_digests(published / "justice.duckdb")


def overwrite_blocks(path: Path) -> None:
    """Damage a DuckDB file as a failing disk would: random bytes over a 2 KiB stretch of
    every third 256 KiB block after the first megabyte (DuckDB's checksums then fail)."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        for offset in range(4 * 262144, size - 262144, 3 * 262144):
            handle.seek(offset + 1000)
            handle.write(os.urandom(2048))


@pytest.mark.long  # three builds' worth; CI runs the long tier after make test
def test_a_damaged_published_warehouse_is_named_with_the_way_back(
    published: Path, rebuilt: dict, project_root: Path, tmp_path: Path
):
    """Blocks of the published justice.duckdb overwritten: the build stops before it copies
    anything and says which file is damaged and that rollback restores the kept version
    (checked first); status says the same; a damaged version is never rolled back to."""
    directory = tmp_path / "warehouse"
    shutil.copytree(published, directory)
    (version,) = (directory / "versions").iterdir()
    assert version.name == rebuilt["first"]
    overwrite_blocks(directory / "justice.duckdb")
    before = digests(directory)

    result = build(project_root, directory, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr
    assert f"the published warehouse is damaged: {directory / 'justice.duckdb'}" in message
    assert "Corrupt database file" in message
    assert f"`justice-warehouse rollback` publishes build {version.name} again" in message
    assert digests(directory) == before

    env = project_env(project_root, tmp_path)
    status = run_cli(
        ["status", "--warehouse", str(directory / "justice.duckdb")], project_root, env
    )
    assert status.returncode == 1, status.stdout  # the failed build; the damage is listed too
    assert f"DAMAGED: the published warehouse is damaged: {directory / 'justice.duckdb'}" in (
        status.stdout
    )

    # A damaged version is refused, and nothing is rolled back.
    kept = version / "justice.duckdb"
    intact = kept.read_bytes()
    overwrite_blocks(kept)
    rollback = ["rollback", "--warehouse", str(directory / "justice.duckdb")]
    refused = run_cli(rollback, project_root, env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"version {version.name} is damaged" in refused.stderr
    assert digests(directory) == before

    kept.write_bytes(intact)
    rolled = run_cli(rollback, project_root, env)
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    healthy = run_cli(
        ["status", "--warehouse", str(directory / "justice.duckdb")], project_root, env
    )
    assert "DAMAGED" not in healthy.stdout
    assert build(project_root, directory, tmp_path).returncode == 0


def test_rollback_restores_the_previous_version(
    published: Path, rebuilt: dict, project_root: Path, tmp_path: Path
):
    previous = published / "versions" / rebuilt["first"]
    expected = digests(previous)  # every published file of the version rolled back to
    assert expected == rebuilt["before"]
    env = cli_env(tmp_path)
    env["JW_PROJECT_DIR"] = str(project_root)
    result = run_cli(
        ["rollback", "--warehouse", str(published / "justice.duckdb")], cwd=project_root, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((published / "manifest.json").read_text())["build_id"] == previous.name
    assert digests(published) == expected
    assert not previous.exists()
