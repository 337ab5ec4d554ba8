"""Safe to leave running on a shared server: bounded disk, owner-only row-level files, nothing
left running by a killed build (the status command's exit codes: test_status.py)."""

from __future__ import annotations

import grp
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, dbt_in, run_cli
from extract_faults import FAULTS, extract_dir
from justice_warehouse.operate import permissions, retention, space
from test_publish import PUBLISHED, build, build_args, digests, project_env
from test_status import status, wait_for

ROW_LEVEL_FILE, ROW_LEVEL_FOLDER = 0o600, 0o700
READER_FILE, READER_FOLDER = 0o644, 0o755


def published_copy(built_warehouse: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in PUBLISHED:
        shutil.copy2(built_warehouse.parent / name, directory / name)
    shutil.copytree(built_warehouse.parent / "exports", directory / "exports")
    return directory


def other_groups(count: int) -> list[grp.struct_group]:
    """``count`` groups other than the primary one that this user may give files to: any
    group for root, else the user's supplementary groups. CI runs as root, so never skips."""
    primary = os.getgid()
    if os.geteuid() == 0:
        found = [g for g in grp.getgrall() if g.gr_gid != primary]
    else:
        found = [grp.getgrgid(gid) for gid in os.getgroups() if gid != primary]
    if len(found) < count:
        pytest.skip(f"needs {count} groups besides the primary one; this user has {len(found)}")
    return found[:count]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def wrong_modes(
    directory: Path,
    private: tuple[int, int],
    public: tuple[int, int] = (0, 0),
    gid: int | None = None,
    public_names: tuple[str, ...] = permissions.PUBLIC_NAMES,
    public_gid: int | None = None,
) -> list[str]:
    """Every file and folder below ``directory`` whose mode (or group) is not the documented
    one: public for reporting.duckdb, exports/ and manifest.json, private for the rest."""
    wrong = []
    for path in directory.rglob("*"):
        if path.is_symlink():
            continue
        is_public = path.relative_to(directory).parts[0] in public_names
        file_mode, folder_mode = public if is_public else private
        expected = folder_mode if path.is_dir() else file_mode
        if mode(path) != expected:
            wrong.append(f"{path.relative_to(directory)}: {oct(mode(path))} != {oct(expected)}")
        elif gid is not None and not is_public and path.stat().st_gid != gid:
            wrong.append(f"{path.relative_to(directory)}: group {path.stat().st_gid}")
        elif public_gid is not None and is_public and path.stat().st_gid != public_gid:
            wrong.append(f"{path.relative_to(directory)}: group {path.stat().st_gid} (public)")
    return wrong


def session_processes(session: int) -> list[str]:
    """Live processes of a session (a build started with start_new_session has its pid)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(f"{entry.name} {command[:100]}")
    return found


def start_build(directory: Path, project_root: Path, tmp: Path) -> subprocess.Popen[str]:
    """A build in a session of its own, so that every process it starts can be found."""
    return subprocess.Popen(
        [sys.executable, "-m", "justice_warehouse.cli", *build_args(directory, tmp)],
        cwd=project_root,
        env=project_env(project_root, tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@pytest.fixture
def warehouse_dir(built_warehouse: Path, tmp_path: Path) -> Path:
    return published_copy(built_warehouse, tmp_path / "warehouse")


def test_build_and_rollback_give_row_level_files_to_their_owner(
    warehouse_dir: Path, project_root: Path, tmp_path: Path
):
    result = build(project_root, warehouse_dir, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "disk: versions/" in result.stdout
    wrong = wrong_modes(
        warehouse_dir, (ROW_LEVEL_FILE, ROW_LEVEL_FOLDER), (READER_FILE, READER_FOLDER)
    )
    assert not wrong, wrong
    assert mode(warehouse_dir) == 0o755
    for private in (tmp_path / "target", tmp_path / "logs", tmp_path / "gx" / "uncommitted"):
        row_level = (ROW_LEVEL_FILE, ROW_LEVEL_FOLDER)
        assert not wrong_modes(private, row_level, public_names=()), private
        assert mode(private) == ROW_LEVEL_FOLDER

    # A group cleared for row-level data and the BI readers' own group: two groups that are
    # neither the user's primary group nor each other, so that a file left in the wrong
    # group (or in the primary one) is seen.
    cleared, readers = other_groups(2)
    env = project_env(project_root, tmp_path, JW_WAREHOUSE_GROUP=cleared.gr_name)
    rolled = run_cli(
        [
            "rollback",
            "--warehouse",
            str(warehouse_dir / "justice.duckdb"),
            "--reader-group",
            readers.gr_name,
        ],
        project_root,
        env,
    )
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    wrong = wrong_modes(
        warehouse_dir,
        (0o640, 0o750),
        (0o640, 0o750),
        cleared.gr_gid,
        public_gid=readers.gr_gid,
    )
    assert not wrong, wrong
    assert mode(warehouse_dir) == 0o755  # an existing folder keeps its own mode


# Four builds, each killed at one step (over two minutes of the machine): in the long tier
# (make test-long, run by CI after make test), so that make test stays within 15 minutes. A
# failed build leaving the published files as they were stays in make test (test_publish,
# test_orchestrate).
@pytest.mark.long
def test_a_killed_build_leaves_no_process_at_any_step(
    warehouse_dir: Path, project_root: Path, tmp_path: Path
):
    """SIGKILL at the load, dbt, validation and docs, and publish steps: within seconds nothing
    the build started is alive (dbt, the validation worker and the docs site's dbt die with
    it), the files it left are its owner's only, the published files are byte-identical, and
    the next build publishes."""
    before = digests(warehouse_dir)
    # The line that starts each step, and the child processes that run inside it. The docs
    # site's dbt runs beside the validation (its "[5/6]" line only writes the page it made),
    # so one build is killed while both the validation worker and that dbt run.
    steps: dict[str, tuple[str, tuple[str, ...]]] = {
        "load": ("[1/6]", ()),
        "dbt": ("[2/6]", ("dbt.cli.main",)),
        "validation and docs": ("[4/6]", ("multiprocessing", "docs generate")),
        "publish": ("[6/6]", ()),
    }
    for step, (line_start, children) in steps.items():
        process = start_build(warehouse_dir, project_root, tmp_path)
        assert process.stdout is not None
        output = []
        for line in process.stdout:
            output.append(line)
            if line.startswith(line_start):
                break
        pid = process.pid
        for child in children:  # kill while each child (dbt, GX, the docs site's dbt) runs
            started = wait_for(
                lambda: any(child in p for p in session_processes(pid)),  # noqa: B023
                30,
            )
            assert started, (step, child, session_processes(pid), "".join(output))
        running = session_processes(pid)
        gone = [child for child in children if not any(child in p for p in running)]
        assert not gone, (step, "ended before the kill", gone)
        assert process.poll() is None, (step, "the build ended before it was killed")
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        pid = process.pid
        # Children die at once (PR_SET_PDEATHSIG); an orphan would outlive 3 s: an orphaned
        # docs-site dbt finished its run inside the 10 s this once waited, unseen.
        wait_for(lambda: not session_processes(pid), 3)  # noqa: B023
        assert not session_processes(pid), (step, session_processes(pid))
        wrong = wrong_modes(
            warehouse_dir, (ROW_LEVEL_FILE, ROW_LEVEL_FOLDER), (READER_FILE, READER_FOLDER)
        )
        assert not wrong, (step, wrong)
        # Publishing renames finished files one by one: killed there, each published file is
        # the old or the new one (test_publish.py); at every earlier step, the old one.
        if step != "publish":
            assert digests(warehouse_dir) == before, step
            assert any((warehouse_dir / ".candidates").iterdir())  # the killed build's leftovers
    result = status(warehouse_dir, project_root, tmp_path)
    assert result.returncode == 1, result.stdout
    assert "killed" in result.stdout
    result = build(project_root, warehouse_dir, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not any((warehouse_dir / ".candidates").iterdir())
    assert digests(warehouse_dir) != before


# Runs inside its own mount namespace, so the tmpfs vanishes with the process even if the
# test is killed; without root, `unshare -r` maps the user to root in a user namespace.
SMALL_FILESYSTEM_SCRIPT = """
mount -t tmpfs -o size=32m tmpfs "$SMALL" || exit 97
mkdir "$SMALL/warehouse"
for name in $PUBLISHED; do cp -p "$SOURCE/$name" "$SMALL/warehouse/$name"; done
"$@"
code=$?
cp -a "$SMALL/warehouse" "$AFTER"
umount "$SMALL"
exit $code
"""


def test_a_build_that_runs_out_of_space_keeps_no_full_candidate(
    built_warehouse: Path, project_root: Path, tmp_path: Path
):
    """On a 32 MiB filesystem (a tmpfs mounted for the test) dbt runs out of space."""
    mount, after = tmp_path / "small", tmp_path / "after"
    mount.mkdir()
    # JW_SPACE_FACTOR=0: past the check before writing, into the real fault. The published
    # pair is copied without exports, to leave little room.
    env = project_env(project_root, tmp_path, JW_SPACE_FACTOR="0")
    env.update(
        SMALL=str(mount),
        AFTER=str(after),
        SOURCE=str(built_warehouse.parent),
        PUBLISHED=" ".join(PUBLISHED),
    )
    namespace = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
    command = [sys.executable, "-m", "justice_warehouse.cli"]
    command += build_args(mount / "warehouse", tmp_path)
    result = subprocess.run(
        [*namespace, "sh", "-c", SMALL_FILESYSTEM_SCRIPT, "sh", *command],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode == 97 or result.stderr.startswith("unshare:"):
        # CI runs as root, where the mount must work: there the test may not skip.
        assert os.geteuid() != 0, f"root cannot mount a tmpfs: {result.stderr}"
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "No space left on device" in result.stderr
    assert digests(after) == digests(built_warehouse.parent)
    (failed,) = (after / "failed").iterdir()
    assert retention.is_reduced(failed)
    assert sorted(p.name for p in failed.iterdir()) == sorted(retention.KEPT_WHEN_REDUCED)
    assert "No space left on device" in (failed / "reason.txt").read_text()
    assert not any((after / ".candidates").iterdir())
    record = json.loads((after / "last_run.json").read_text())
    assert (record["outcome"], record["exit_code"]) == ("failed", 2)


def test_five_failing_builds_keep_the_configured_number_in_full(
    warehouse_dir: Path, project_root: Path, tmp_path: Path
):
    inject, _, message = FAULTS["negative_money"]
    extracts = extract_dir(tmp_path)
    inject(extracts)
    for _ in range(5):
        result = build(
            project_root,
            warehouse_dir,
            tmp_path,
            "--extracts",
            str(extracts),
            "--max-rejected-share",
            "0",
            JW_KEEP_FAILED="2",
        )
        assert result.returncode == 1, result.stdout + result.stderr
    folders = sorted((warehouse_dir / "failed").iterdir(), key=lambda p: p.name)
    assert len(folders) == 5
    full = [folder for folder in folders if (folder / "justice.duckdb").is_file()]
    assert full == folders[-2:]
    for folder in folders[:3]:
        assert retention.is_reduced(folder)
        assert sorted(p.name for p in folder.iterdir()) == sorted(retention.KEPT_WHEN_REDUCED)
        rejected = (folder / retention.REJECTED).read_text().splitlines()
        assert rejected[1].startswith("programme_budget_lines.csv,amount_gbp,negative amount,1,2")
        assert message.split(": ", 1)[0] in (folder / retention.REASON).read_text()
    assert "(2 in full, 3 reduced)" in result.stdout


@pytest.mark.fast
def test_a_space_shortage_found_before_anything_is_written(tmp_path: Path, project_root: Path):
    directory = tmp_path / "warehouse"
    # JW_SPACE_FACTOR=1e9: a build that needs more than any disk has.
    group = grp.getgrgid(os.getgid()).gr_name
    result = build(
        project_root, directory, tmp_path, "--reader-group", group, JW_SPACE_FACTOR="1e9"
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not enough disk space: needs " in result.stderr
    assert f"GiB free in {directory}" in result.stderr
    assert not (directory / ".candidates").exists()
    assert not (directory / "failed").exists()
    assert not (directory / "justice.duckdb").exists()
    assert not (tmp_path / "target").exists()  # dbt never ran
    record = json.loads((directory / "last_run.json").read_text())
    assert record["exit_code"] == 2
    assert mode(directory) == 0o751  # a folder the build creates: readers may pass through
    assert mode(directory / "last_run.json") == ROW_LEVEL_FILE


@pytest.mark.fast
def test_only_the_builds_own_files_change_mode_in_a_shared_folder(
    tmp_path: Path, project_root: Path
):
    """A warehouse (or dbt target) in a shared folder such as /tmp: the build sets the modes
    of its own files only, never the folder's or a neighbour's."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    neighbour = shared / "someone_elses.csv"
    neighbour.write_text("x\n")
    os.chmod(neighbour, 0o644)
    result = build(
        project_root, shared, tmp_path, JW_SPACE_FACTOR="1e9", DBT_TARGET_PATH=str(shared)
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert mode(shared) == 0o1777
    assert mode(neighbour) == 0o644
    assert mode(shared / "last_run.json") == ROW_LEVEL_FILE
    assert mode(shared / ".build.lock") == ROW_LEVEL_FILE


@pytest.mark.fast
def test_space_estimate_and_spill_cap(tmp_path: Path):
    found = space.build_space(tmp_path, tmp_path / "x.duckdb.tmp", 100 * 2**20, 10 * 2**20, 1.0)
    (need,) = found.needs  # one filesystem: one entry
    assert need.needed == 2 * 100 * 2**20 + 5 * 10 * 2**20 + 110 * 2**20
    # A power of two (stable from build to build), at most half of what the build leaves
    # free, at least the power of two below the 110 MiB temp share.
    cap_mib = int(found.max_temp_size.removesuffix("MiB"))
    assert cap_mib & (cap_mib - 1) == 0
    assert cap_mib >= 64 and cap_mib * 2**20 <= max((need.free - need.needed) // 2, 64 * 2**20)
    assert space.is_out_of_space(OSError(28, "No space left on device"))
    assert space.is_out_of_space(RuntimeError('Could not write file "x": No space left on device'))
    assert not space.is_out_of_space(RuntimeError("dbt build failed: a test failed"))


@pytest.mark.fast
def test_the_spill_cap_is_set_by_a_hook_and_leaves_the_parse_valid(tmp_path: Path):
    """The build's spill cap follows the free disk, so it differs from build to build. It
    reaches DuckDB through dbt's on-run-start hook (macros/spill_cap.sql), not the profile,
    whose every change makes dbt parse the whole project again (2.9 s here)."""
    logs = tmp_path / "logs" / "dbt.log"

    def seed(cap: str) -> tuple[str, str]:
        """A dbt seed with the cap ``cap``; the hook's SQL and the run's partial-parse line."""
        result = dbt_in(
            tmp_path,
            PROJECT_ROOT,
            ["seed", "--select", "check_kinds"],
            tmp_path / "cap.duckdb",
            duckdb_max_temp_size=cap,
        )
        assert result.success, result.failures
        (hook,) = [
            r
            for r in json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
            if "on-run-start" in r["unique_id"]
        ]
        parse = [line for line in logs.read_text().splitlines() if "partial pars" in line]
        return hook["compiled_code"].strip(), parse[-1]

    assert seed("64MiB")[0] == "set global max_temp_directory_size = '64MiB'"
    hook, parse = seed("128MiB")
    assert hook == "set global max_temp_directory_size = '128MiB'"
    assert "Nothing changed" in parse, parse
