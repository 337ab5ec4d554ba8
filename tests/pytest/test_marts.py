"""The public marts of a fresh build: figures, row counts and schemas."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from itertools import pairwise

import duckdb

from conftest import rows
from justice_warehouse.check import disclosure
from justice_warehouse.synth.register import register, rj_outcome_counts


def test_schemas_are_exactly_the_four_layers_plus_sources_landing_and_audit(
    warehouse: duckdb.DuckDBPyConnection,
):
    schemas = {
        schema
        for (schema,) in rows(
            warehouse, "select distinct table_schema from information_schema.tables"
        )
    }
    # main: the source tables; landing: the register of deliveries loaded
    assert schemas == {
        "main",
        "landing",
        "staging",
        "intermediate",
        "marts",
        "reporting",
        "audit",
    }


def test_referral_outcomes_reproduce_the_published_counts(warehouse):
    outcomes = dict(
        rows(warehouse, "select outcome, referrals from reporting.rj_referral_outcomes")
    )
    # each outcome's published figure (seed referral_outcomes -> published_figures)
    assert outcomes == rj_outcome_counts()
    assert sum(outcomes.values()) == register()["rj_referrals_total"]


def test_fact_referrals_grain_and_stages(warehouse):
    assert rows(
        warehouse, "select count(*), count(distinct referral_id) from marts.fct_rj_referrals"
    ) == [(988, 988)]
    stages = dict(
        rows(
            warehouse,
            "select furthest_stage, count(*) from marts.fct_rj_referrals "
            "where outcome = 'took_up' group by furthest_stage",
        )
    )
    assert stages["direct_conference"] == 10
    assert set(stages) == {
        "restorative_conversation",
        "indirect_communication",
        "direct_conference",
    }
    assert rows(
        warehouse,
        "select count(*) from marts.fct_rj_referrals where outcome != 'took_up' "
        "and furthest_stage != 'none'",
    ) == [(0,)]


def test_published_figure_checks_say_what_kind_of_evidence_each_is(warehouse):
    checks = rows(
        warehouse,
        "select figure_id, check_kind, status, computed_value is not null "
        "from reporting.published_figure_checks",
    )
    assert len(checks) == 36
    statuses: dict[str, set[str]] = {}
    for _, kind, status, _ in checks:
        statuses.setdefault(kind, set()).add(status)
    # agreement is match only where the check is evidence or a calibration target; a figure
    # copied from its own source never reads match
    assert statuses == {
        "calibrated": {"match"},
        "derived": {"match"},
        "copied": {"no_evidence"},
        "not_computable": {"not_computed"},
    }
    kind_of = {figure: kind for figure, kind, _, _ in checks}
    assert kind_of["rj_took_up"] == "calibrated"  # the generator targets 241
    assert kind_of["restore_cost_per_take_up"] == "derived"  # 1.3m / 241
    assert kind_of["reoffending_cost_england_and_wales"] == "copied"
    # the conflicting figures are kept, not computed
    assert kind_of["reoffending_cost_london_blog"] == kind_of["restore_committed_mqt"]
    assert kind_of["restore_committed_mqt"] == "not_computable"
    assert all(has_value == (kind != "not_computable") for _, kind, _, has_value in checks)


def test_funnels_never_increase_and_add_up(warehouse, built_warehouse):
    manifest = built_warehouse.parent / "target" / "manifest.json"
    for table in ("rj_funnel_monthly", "rj_funnel_by_borough"):
        for column, london in (("referred", 988), ("took_up", 241), ("direct_conference", 10)):
            shown, suppressed = rows(
                warehouse,
                f"select coalesce(sum({column}), 0), count(*) filter "
                f"(where is_{column}_suppressed) from reporting.{table}",
            )[0]
            # suppressed cells are null, so the shown cells add up to less than London's total
            assert shown == london if suppressed == 0 else shown < london
        # the stage list as the model declared it (its disclosure config in the manifest)
        stages = disclosure.read_manifest(manifest).suppressed[table].counts
        broken = " or ".join(f"{later} > {earlier}" for earlier, later in pairwise(stages))
        increases = rows(warehouse, f"select count(*) from reporting.{table} where {broken}")
        assert increases == [(0,)]
    assert rows(warehouse, "select count(*) from reporting.rj_funnel_by_borough") == [(33,)]
    assert rows(warehouse, "select count(*) from reporting.rj_funnel_monthly") == [(22,)]


def test_value_for_money(warehouse):
    restore = rows(
        warehouse,
        "select cost_gbp, referrals, took_up, direct_conferences, cost_per_referral_gbp, "
        "cost_per_take_up_gbp, cost_per_direct_conference_gbp, police_officer_equivalents "
        "from reporting.programme_value_for_money where programme_code = 'restore_london'",
    )
    assert restore == [
        (
            Decimal("1300000.00"),
            988,
            241,
            10,
            Decimal("1315.79"),
            Decimal("5394.19"),
            Decimal("130000.00"),
            Decimal("22.00"),
        )
    ]
    vru = rows(
        warehouse,
        "select cost_gbp, referrals from reporting.programme_value_for_money "
        "where programme_code = 'violence_reduction_unit'",
    )
    assert vru == [(Decimal("6800000.00"), None)]


def test_reoffending_costs_annual_totals_and_labels(warehouse):
    totals = dict(
        rows(
            warehouse,
            "select geography || ':' || source_basis, sum(total_cost_gbp) "
            "from reporting.reoffending_costs_annual group by 1",
        )
    )
    assert totals == {
        "london:modelled": Decimal("2300000000.00"),
        "england_and_wales:published": Decimal("18100000000.00"),
    }
    stages = {
        stage
        for (stage,) in rows(
            warehouse,
            "select distinct cost_stage from reporting.reoffending_costs_annual "
            "where geography = 'london'",
        )
    }
    assert stages == {"anticipation", "consequence", "response"}


def test_probation_engagement(warehouse):
    shown, suppressed, never_seen = rows(
        warehouse,
        "select sum(appointments), count(*) filter (where is_appointments_suppressed), "
        "sum(people_never_seen) from reporting.probation_engagement_monthly",
    )[0]
    total = rows(warehouse, "select count(*) from marts.fct_probation_appointments")[0][0]
    assert suppressed > 0 and shown < total
    assert never_seen > 0
    people_without_attendance = rows(
        warehouse,
        "select count(*) from (select person_pseudo_id from marts.fct_probation_appointments "
        "group by 1 having count(*) filter (where is_attended) = 0)",
    )[0][0]
    assert people_without_attendance > 0


def test_dim_date_financial_years(warehouse):
    assert rows(
        warehouse,
        "select financial_year from marts.dim_date where calendar_date in "
        "(date '2017-03-31', date '2017-04-01', date '2019-03-31') order by calendar_date",
    ) == [("2016-17",), ("2017-18",), ("2018-19",)]
    assert rows(warehouse, "select count(*) from marts.dim_borough") == [(33,)]


def test_reporting_contract_types(warehouse):
    types = dict(
        rows(
            warehouse,
            "select table_name || '.' || column_name, data_type from information_schema.columns "
            "where table_schema = 'reporting'",
        )
    )
    assert types["rj_referral_outcomes.referrals"] == "BIGINT"
    assert types["rj_referral_outcomes.outcome"] == "VARCHAR"
    assert types["programme_value_for_money.cost_gbp"] == "DECIMAL(18,2)"
    assert types["published_figure_checks.published_value"] == "DECIMAL(20,4)"
    assert types["rj_funnel_monthly.referral_month_date"] == "DATE"


def test_no_raw_person_identifiers_beyond_staging(warehouse):
    leaked = rows(
        warehouse,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('intermediate', 'marts', 'reporting') "
        "and column_name in ('victim_ref', 'offender_ref', 'case_reference')",
    )
    assert leaked == []
    raw_values = rows(
        warehouse,
        "select count(*) from marts.fct_probation_appointments where person_pseudo_id like 'X%'",
    )
    assert raw_values == [(0,)]


def test_figure_table_shows_each_figures_check_kind_as_built(warehouse, project_root):
    readme = (project_root / "docs" / "published-figures.md").read_text(encoding="utf-8")
    with (project_root / "seeds" / "reference" / "check_kinds.csv").open(encoding="utf-8") as f:
        kind_names = {row["check_kind"] for row in csv.DictReader(f)}
    shown = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`") and cells[2] in kind_names:
            shown[cells[0].strip("`")] = (cells[2], cells[3])
    built = {
        figure: (kind, status)
        for figure, kind, status in rows(
            warehouse, "select figure_id, check_kind, status from reporting.published_figure_checks"
        )
    }
    assert shown == built


def test_every_column_of_every_relation_is_described(warehouse, built_warehouse):
    """Column coverage of the docs: every column of every model, source and reference seed
    the build wrote has a description in dbt's manifest (shared ones through docs blocks)."""
    manifest = json.loads((built_warehouse.parent / "target" / "manifest.json").read_text())
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows(
        warehouse, "select table_schema, table_name, column_name from information_schema.columns"
    ):
        columns.setdefault((schema, table), []).append(column)
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    undescribed, counted = [], 0
    for node in nodes:
        if node["resource_type"] not in ("model", "seed", "source"):
            continue
        if node["resource_type"] == "seed" and node["original_file_path"].startswith(
            "seeds/synthetic"
        ):
            continue  # in a pipeline build the same table as its source
        name = node.get("identifier") or node.get("alias") or node["name"]
        described = {
            key.lower(): value.get("description", "").strip()
            for key, value in node["columns"].items()
        }
        for column in columns.get((node["schema"], name), []):
            counted += 1
            if not described.get(column.lower()):
                undescribed.append(f"{node['name']}.{column}")
    assert counted > 700
    assert undescribed == []
