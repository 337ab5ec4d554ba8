"""The metrics (dbt's semantic layer, models/marts/*/_<folder>__metrics.yml) as MetricFlow
answers them equal the reporting tables, which render the same formulas
(macros/metrics.sql), in every cell the reporting table does not suppress.

MetricFlow runs as a data engineer runs it (``justice-warehouse mf query ...``), on the
published warehouse read-only."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, cli_env, copy_project, run_cli
from justice_warehouse.core.settings import Settings
from justice_warehouse.core.storage import file_digest
from justice_warehouse.present import metrics as metrics_layer

FUNNEL = {
    "referred": "referrals",
    "contacted": "contacted",
    "took_up": "took_up",
    "restorative_conversation": "restorative_conversations",
    "indirect_communication": "indirect_communications",
    "direct_conference": "direct_conferences",
}
APPOINTMENTS = [
    "appointments",
    "attended_appointments",
    "acceptable_absences",
    "unacceptable_absences",
    "rescheduled_appointments",
]
PEOPLE = ["people_supervised", "people_never_seen"]
STATUS = {
    "referrals": "referrals",
    "open_referrals": "open_referrals",
    "closed_referrals": "closed_referrals",
    "decided_referrals": "decided_referrals",
}
VALUE_FOR_MONEY = [
    "cost_per_referral_gbp",
    "cost_per_take_up_gbp",
    "cost_per_direct_conference_gbp",
    "police_officer_equivalents",
]


def mf_query(warehouse: Path, tmp: Path, name: str, metrics: list[str], group_by: list[str]) -> str:
    """``justice-warehouse mf query``'s answer as a CSV file; its path."""
    csv = tmp / f"{name}.csv"
    result = run_cli(
        [
            "mf",
            "--warehouse",
            str(warehouse),
            "query",
            "--metrics",
            ",".join(metrics),
            *(["--group-by", ",".join(group_by)] if group_by else []),
            "--csv",
            str(csv),
            "--quiet",
        ],
        cwd=PROJECT_ROOT,
        env=cli_env(tmp),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return str(csv)


def compare(
    warehouse: Path,
    answer: str,
    table: str,
    keys: dict[str, str],
    columns: dict[str, str],
    where: str = "true",
    digits: int = 2,
) -> tuple[int, list[tuple]]:
    """Cells of reporting ``table`` not suppressed, against MetricFlow's ``answer``.

    ``keys``: table column -> MetricFlow column (cast to the table's type); ``columns``:
    table column -> metric; ``where``: the table's rows at that grain. A group MetricFlow
    does not return has no rows: 0. Both are rounded to ``digits`` decimals (the table's
    own). Returns the number of cells compared and the ones that differ."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        key_types = dict(
            connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'reporting' and table_name = ?",
                [table],
            ).fetchall()
        )
        join = (
            " and ".join(
                f"cast(answer.{mf_column} as {key_types[column]}) = cells.{column}"
                for column, mf_column in keys.items()
            )
            or "true"
        )
        compared, differing = 0, []
        for column, metric in columns.items():
            cells = connection.execute(
                f"select cells.{column}, coalesce(cast(answer.{metric} as double), 0), "
                f"{', '.join('cells.' + key for key in keys)} "
                f"from reporting.{table} as cells "
                f"left join read_csv('{answer}', all_varchar = true) as answer on {join} "
                f"where cells.{column} is not null and ({where})"
            ).fetchall()
            compared += len(cells)
            differing += [
                (column, *cell[2:], cell[0], cell[1])
                for cell in cells
                if round(float(cell[0]), digits) != round(float(cell[1]), digits)
            ]
    return compared, differing


@pytest.mark.fast
def test_the_metrics_snapshot_for_dbt_unit_tests_is_current(tmp_path: Path) -> None:
    """dbt's unit tests compile a model without the project's metrics, so metric_sql reads
    them there from macros/metrics_snapshot.sql; it must say what the YAML says."""
    manifest = metrics_layer.parse_project(PROJECT_ROOT, Settings.from_env(), tmp_path / "t")
    current = (PROJECT_ROOT / metrics_layer.SNAPSHOT_MACRO).read_text()
    assert current == metrics_layer.snapshot_text(manifest), (
        "macros/metrics_snapshot.sql is not current: run "
        "`.venv/bin/justice-warehouse metrics --write-snapshot`"
    )


@pytest.mark.fast
def test_the_workspace_follows_the_project_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workspace left by the project at another path (a moved clone, a copied target/)
    links to the project it now serves."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    settings = Settings.from_env()
    for project in ("old", "new"):
        for name in ("dbt_project.yml", "profiles.yml"):
            (tmp_path / project).mkdir(exist_ok=True)
            (tmp_path / project / name).write_text(project)
    metrics_layer.workspace(tmp_path / "old", settings)
    folder = metrics_layer.workspace(tmp_path / "new", settings)
    assert (folder / "dbt_project.yml").read_text() == "new"
    assert (folder / "models").resolve() == (tmp_path / "new" / "models").resolve()


@pytest.mark.fast
def test_a_changed_profile_parses_the_workspace_again(tmp_path: Path) -> None:
    """The metrics target lives in profiles.yml: a change there is a new parse."""
    project = copy_project(tmp_path / "project")
    warehouse = tmp_path / "justice.duckdb"
    before = metrics_layer.parse_stamp(project, warehouse)
    profile = project / "profiles.yml"
    profile.write_text(profile.read_text() + "\n# changed\n")
    assert metrics_layer.parse_stamp(project, warehouse) != before


@pytest.fixture(scope="module", params=["bundled", "deliveries"])
def published(request: pytest.FixtureRequest) -> Path:
    """The bundled build, and the bundled delivery sequence built at once."""
    name = "built_warehouse" if request.param == "bundled" else "deliveries_warehouse"
    return request.getfixturevalue(name)


@pytest.fixture(scope="module")
def workdir(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One MetricFlow workspace per warehouse, so dbt parses the project once for it."""
    return tmp_path_factory.mktemp("metrics")


@pytest.fixture(scope="module")
def bundled_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("metrics_bundled")


def test_metricflow_validates_the_semantic_layer(
    built_warehouse: Path, bundled_workdir: Path
) -> None:
    result = run_cli(
        ["mf", "--warehouse", str(built_warehouse), "validate-configs"],
        cwd=PROJECT_ROOT,
        env=cli_env(bundled_workdir),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_metricflow_reads_the_published_warehouse_without_writing_it(
    built_warehouse: Path, bundled_workdir: Path
) -> None:
    before = file_digest(built_warehouse)
    mf_query(built_warehouse, bundled_workdir, "referrals", ["referrals"], ["referral__outcome"])
    assert file_digest(built_warehouse) == before
    # The workspace's profile opens the file read-only: a write through it fails.
    profile = (PROJECT_ROOT / "profiles.yml").read_text()
    metrics_target = profile[profile.index("    metrics:") :].split("\n    # ")[0]
    assert "access_mode: read_only" in metrics_target
    assert "dev.duckdb" not in metrics_target


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nothing" / "justice.duckdb"
    result = run_cli(["metrics", "--warehouse", str(missing)], PROJECT_ROOT, cli_env(tmp_path))
    assert result.returncode == 2
    assert f"no published warehouse at {missing}" in result.stderr


def test_metrics_are_listed_with_their_formulas(
    built_warehouse: Path, bundled_workdir: Path
) -> None:
    result = run_cli(
        ["metrics", "--warehouse", str(built_warehouse)], PROJECT_ROOT, cli_env(bundled_workdir)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout
    assert "take_up_rate  (Take-up rate; ratio)\n    = took_up / referrals" in text
    assert "people_never_seen  (People never seen; simple)" in text
    assert "= sum(case when is_take_up then 1 else 0 end)" in text


def test_funnel_metrics_equal_the_reporting_funnels(published: Path, workdir: Path) -> None:
    by_borough = mf_query(published, workdir, "borough", [*FUNNEL.values()], ["borough"])
    compared, differing = compare(
        published, by_borough, "rj_funnel_by_borough", {"borough_code": "borough"}, FUNNEL
    )
    assert compared > 100 and differing == []
    by_month = mf_query(published, workdir, "month", [*FUNNEL.values()], ["metric_time__month"])
    compared, differing = compare(
        published,
        by_month,
        "rj_funnel_monthly",
        {"referral_month_date": "metric_time__month"},
        FUNNEL,
    )
    assert compared > 100 and differing == []
    # The cases' movement at the latest delivery: every referral in its current version.
    status = [*STATUS.values()]
    now = mf_query(published, workdir, "status", status, [])
    compared, differing = compare(
        published,
        now,
        "rj_status_movement",
        {},
        STATUS,
        where="cells.as_at_date = (select max(as_at_date) from reporting.rj_status_movement)",
    )
    assert compared == len(STATUS) and differing == []
    means = ["mean_days_to_decision", "mean_days_to_closure"]
    mean_now = mf_query(published, workdir, "status_means", means, [])
    compared, differing = compare(
        published,
        mean_now,
        "rj_status_movement",
        {},
        {mean: mean for mean in means},
        where="cells.as_at_date = (select max(as_at_date) from reporting.rj_status_movement)",
        digits=1,
    )
    assert compared == len(means) and differing == []
    # The published period at the latest delivery, where the figure checks' counts and rates
    # are computed (each version as at that delivery; MetricFlow reads the current ones). At
    # an earlier delivery, as the figures were published, the versions differ: MetricFlow
    # cannot read a version as at a date.
    period_answer = mf_query(
        published,
        workdir,
        "period",
        ["published_period_referrals", "published_period_took_up", "published_period_take_up_rate"],
        [],
    )
    with duckdb.connect() as connection:
        answer = connection.execute(
            "select published_period_referrals, published_period_took_up, "
            f"100 * published_period_take_up_rate from read_csv('{period_answer}')"
        ).fetchall()[0]
    with duckdb.connect(str(published), read_only=True) as connection:
        latest = connection.execute(
            "select referrals, took_up, take_up_rate_pct "
            "from intermediate.int_restore__published_period_counts where is_latest"
        ).fetchall()
    assert len(latest) == 1
    assert [round(float(value), 4) for value in answer] == [float(value) for value in latest[0]]


def test_probation_metrics_equal_the_engagement_table(published: Path, workdir: Path) -> None:
    # The appointment counts come from the appointments' semantic model, the people from the
    # person-months'; each names its provider dimension by its own entity.
    for name, metrics, provider, at_least in (
        ("appointments", APPOINTMENTS, "appointment__provider_code", 1000),
        ("people", PEOPLE, "person_month__provider_code", 500),
    ):
        answer = mf_query(
            published, workdir, name, metrics, ["metric_time__month", provider, "borough"]
        )
        compared, differing = compare(
            published,
            answer,
            "probation_engagement_monthly",
            {
                "appointment_month_date": "metric_time__month",
                "borough_code": "borough",
                "provider_code": provider,
            },
            {metric: metric for metric in metrics},
        )
        assert compared > at_least and differing == [], name
    # London-wide, by month: the coarse figures the probation page shows first.
    for name, metrics in (("london_appointments", APPOINTMENTS), ("london_people", PEOPLE)):
        answer = mf_query(published, workdir, name, metrics, ["metric_time__month"])
        compared, differing = compare(
            published,
            answer,
            "probation_engagement_london_monthly",
            {"appointment_month_date": "metric_time__month"},
            {metric: metric for metric in metrics},
            where="cells.provider_code = 'all'",
        )
        assert compared >= 12 * len(metrics) - 2 and differing == [], name
    # Each borough over the financial year (the time spine's custom granularity).
    answer = mf_query(
        published,
        workdir,
        "borough_years",
        APPOINTMENTS + PEOPLE,
        ["metric_time__uk_financial_year", "borough"],
    )
    compared, differing = compare(
        published,
        answer,
        "probation_engagement_borough_annual",
        {"financial_year": "metric_time__uk_financial_year", "borough_code": "borough"},
        {metric: metric for metric in APPOINTMENTS + PEOPLE},
    )
    assert compared >= 32 * 2 and differing == [], "borough_years"


def test_value_for_money_and_reoffending_metrics_equal_their_tables(
    published: Path, workdir: Path
) -> None:
    value = mf_query(
        published, workdir, "value", VALUE_FOR_MONEY, ["metric_time__day", "programme"]
    )
    compared, differing = compare(
        published,
        value,
        "programme_value_for_money_as_at",
        {"as_at_date": "metric_time__day", "programme_code": "programme"},
        {metric: metric for metric in VALUE_FOR_MONEY},
    )
    assert compared >= 4 and differing == []
    # A programme's cost, from its budget lines (the metric the cost is computed by).
    budget = mf_query(published, workdir, "budget", ["budget_cost_gbp"], ["programme"])
    compared, differing = compare(
        published,
        budget,
        "programme_value_for_money",
        {"programme_code": "programme"},
        {"cost_gbp": "budget_cost_gbp"},
    )
    assert compared >= 1 and differing == []
    costs = mf_query(
        published,
        workdir,
        "costs",
        ["annual_reoffending_cost_gbp"],
        ["cost_line__geography", "cost_line__cost_stage", "cost_line__cost_category_code"],
    )
    compared, differing = compare(
        published,
        costs,
        "reoffending_costs_annual",
        {
            "geography": "cost_line__geography",
            "cost_stage": "cost_line__cost_stage",
            "cost_category_code": "cost_line__cost_category_code",
        },
        {"total_cost_gbp": "annual_reoffending_cost_gbp"},
    )
    assert compared >= 10 and differing == []


def _took_up_everywhere(warehouse: Path, site: Path) -> tuple:
    """Where the took-up metric reaches readers: the funnel, the figure checks, and the
    page's monthly funnel table."""
    reporting = warehouse.parent / "reporting.duckdb"
    with duckdb.connect(str(reporting), read_only=True) as connection:
        funnel = connection.execute("select sum(took_up) from rj_funnel_monthly").fetchall()
        figures = connection.execute(
            "select figure_id, computed_value from published_figure_checks "
            "where figure_id in ('rj_take_up_rate', 'restore_cost_per_take_up') order by 1"
        ).fetchall()
    page = (site / "restore.html").read_text()
    start = page.index('<table data-panel="funnel_monthly">')
    return funnel[0][0], figures, page[start : page.index("</table>", start)]


@pytest.mark.long
def test_a_metric_changed_in_one_place_changes_every_reader(
    built_warehouse: Path, tmp_path: Path
) -> None:
    """The took-up metric's measure, changed in the semantic layer of a copy of the project
    (counting contacted victims instead), changes the reporting funnel, the published-figure
    checks' computed values and the dashboard page, with no other file touched."""
    project = copy_project(tmp_path / "project")
    metrics_file = project / "models" / "marts" / "rj" / "_rj__metrics.yml"
    text = metrics_file.read_text()
    took_up = "      - name: took_up_referrals\n"
    measure = text.index(took_up)
    expression = "expr: case when is_take_up then 1 else 0 end"
    at = text.index(expression, measure)
    metrics_file.write_text(
        text[:at] + "expr: case when is_contacted then 1 else 0 end" + text[at + len(expression) :]
    )
    env = cli_env(tmp_path)
    env["JW_PROJECT_DIR"] = str(project)
    changed = tmp_path / "changed" / "justice.duckdb"
    changed.parent.mkdir()
    result = run_cli(
        ["build", "--warehouse", str(changed), "--no-published-figures"], cwd=project, env=env
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    sites = {}
    for name, warehouse in (("before", built_warehouse), ("after", changed)):
        sites[name] = tmp_path / f"site-{name}"
        result = run_cli(  # the project's own page definitions: unchanged
            ["dashboards", "--warehouse", str(warehouse), "--out", str(sites[name])],
            cwd=PROJECT_ROOT,
            env=cli_env(tmp_path),
        )
        assert result.returncode == 0, result.stderr[-3000:]
    funnel, figures, page = _took_up_everywhere(built_warehouse, sites["before"])
    funnel_after, figures_after, page_after = _took_up_everywhere(changed, sites["after"])
    assert funnel_after > funnel
    assert [figure for figure, _ in figures_after] == [figure for figure, _ in figures]
    assert all(
        after != before for (_, after), (_, before) in zip(figures_after, figures, strict=True)
    )
    assert page_after != page
