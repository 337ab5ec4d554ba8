"""The synthetic-seed generator: deterministic, committed, and true to the published figures."""

from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from justice_warehouse.synth import seeds_check
from justice_warehouse.synth.generate import build_all, write_seeds
from justice_warehouse.synth.register import (
    CALIBRATED_FIGURES,
    DEFAULT_SEED,
    rj_direct_conferences,
    rj_outcome_counts,
)

pytestmark = pytest.mark.fast

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return build_all()


def test_committed_seeds_equal_the_generator_output(project_root: Path):
    assert seeds_check.compare_with_generator(project_root / "seeds" / "synthetic") == []


def test_a_changed_seed_file_is_reported(tmp_path: Path):
    write_seeds(tmp_path)
    path = tmp_path / "rj_referrals.csv"
    path.write_text(path.read_text().replace("declined", "took_up", 1))
    (tmp_path / "reoffending_costs.csv").unlink()
    differences = seeds_check.compare_with_generator(tmp_path)
    assert len(differences) == 2
    assert any("rj_referrals.csv differs" in d for d in differences)
    assert any("reoffending_costs.csv is missing" in d for d in differences)


def test_same_seed_same_bytes_other_seed_other_rows(tmp_path: Path):
    first = write_seeds(tmp_path / "a")
    second = write_seeds(tmp_path / "b")
    other = write_seeds(tmp_path / "c", seed=7)
    for a, b, c in zip(first, second, other, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes()
        if a.name in {"rj_referrals", "probation_appointments"}:
            assert a.path.read_bytes() != c.path.read_bytes()


@pytest.mark.parametrize("seed", [DEFAULT_SEED, 1, 2])
def test_referrals_reproduce_published_aggregates_for_any_seed(seed: int):
    referrals = build_all(seed)["rj_referrals"]
    assert len(referrals) == 988
    assert referrals["referral_id"].is_unique
    assert referrals["outcome"].value_counts().to_dict() == rj_outcome_counts()
    assert (referrals["conference_date"] != "").sum() == rj_direct_conferences()
    took_up = referrals[referrals["outcome"] == "took_up"]
    assert (took_up["conversation_date"] != "").all()


def test_referral_dates_in_window_and_in_order(frames):
    referrals = frames["rj_referrals"]
    dates = {
        column: pd.to_datetime(referrals[column].replace("", None))
        for column in (
            "referral_date",
            "first_contact_date",
            "decision_date",
            "conversation_date",
            "indirect_communication_date",
            "conference_date",
            "closure_date",
        )
    }
    assert dates["referral_date"].min() >= pd.Timestamp("2017-04-01")
    assert dates["referral_date"].max() <= pd.Timestamp("2019-01-31")
    chain = list(dates.values())
    for earlier, later in pairwise(chain):
        both = earlier.notna() & later.notna()
        assert (earlier[both] <= later[both]).all()
    latest = max(series.max() for series in chain)
    assert latest <= pd.Timestamp("2019-03-15")
    no_contact = referrals["outcome"] == "no_contact"
    assert (referrals.loc[no_contact, "first_contact_date"] == "").all()
    assert (referrals.loc[referrals["outcome"] == "ongoing", "closure_date"] == "").all()


def test_budget_lines_sum_to_programme_totals(frames):
    lines = frames["programme_budget_lines"].assign(amount=lambda f: f["amount_gbp"].astype(float))
    budget = lines[lines["line_type"] == "budget"]
    totals = budget.groupby("programme_code")["amount"].sum().to_dict()
    assert totals == {"restore_london": 1_300_000.0, "violence_reduction_unit": 6_800_000.0}
    by_funder = budget[budget["programme_code"] == "restore_london"].groupby("funder_code")
    assert by_funder["amount"].sum().to_dict() == {
        "moj_victims_grant": 550_000.0,
        "mopac": 750_000.0,
    }
    officer = lines[lines["cost_nature"] == "unit_cost"]["amount"].item()
    assert officer == pytest.approx(1_300_000 / 22, abs=0.005)


def test_london_reoffending_model_totals_exactly(frames):
    costs = frames["reoffending_costs"]
    london = costs[costs["geography"] == "london"]
    assert (london["basis"] == "modelled").all()
    assert sum(int(float(v)) for v in london["cost_gbp"]) == 2_300_000_000
    assert len(london) == 12 * 9
    published = costs[costs["geography"] == "england_and_wales"]
    assert (published["basis"] == "published").all()


def test_probation_caseload_includes_people_never_seen(frames):
    appointments = frames["probation_appointments"]
    assert appointments["appointment_id"].is_unique
    attended = appointments["outcome_code"].isin(["ATTC", "AFTC", "ATSH"])
    people_attending = appointments[attended]["case_reference"].nunique()
    people = appointments["case_reference"].nunique()
    # The caseload as the committed seed file holds it, counted from the file.
    with (SEEDS / "synthetic" / "probation_appointments.csv").open(encoding="utf-8") as handle:
        in_file = {row["case_reference"] for row in csv.DictReader(handle)}
    assert people == len(in_file)
    assert 0 < people - people_attending < people * 0.2
    assert appointments.duplicated(["case_reference", "appointment_date"]).sum() == 0


def test_the_generator_targets_exactly_the_figures_the_register_calls_calibrated():
    with (SEEDS / "reference" / "published_figures.csv").open(encoding="utf-8") as handle:
        calibrated = {
            row["figure_id"] for row in csv.DictReader(handle) if row["check_kind"] == "calibrated"
        }
    assert set(CALIBRATED_FIGURES) == calibrated
