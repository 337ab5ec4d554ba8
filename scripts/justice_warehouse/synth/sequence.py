"""The bundled monthly deliveries after 31 March 2019: SYNTHETIC, deterministic.

The delivery dated 2019-03-31 is the bundled extract set itself (``seeds/synthetic/``,
which reproduces the published figures). Each later month-end delivery is a complete
extract set as the provider would send it:

- ``rj_referrals`` in full: the 89 referrals ongoing on 31 March 2019 are resolved over the
  following months (took up, declined or no contact; a few are still ongoing at the end),
  new referrals arrive each month (from February 2019, first sent late) and move through
  the same outcomes, a take-up closes a month or more after its decision, and a few old
  records are corrected (a borough or an offence group keyed wrongly);
- ``probation_appointments`` as changes (contract ``Table.delivery``): a few corrected
  outcomes and a few appointments recorded late, each with a ``record_updated_at`` in the
  delivery's month;
- ``programme_budget_lines`` and ``reoffending_costs`` in full, unchanged.

Nothing here is a published figure: what became of the ongoing cases was never published.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from justice_warehouse.synth.appointments import APPOINTMENT_ATTENDED, APPOINTMENT_NOT_ATTENDED
from justice_warehouse.synth.draws import MET_BOROUGHS, OFFENCE_GROUPS
from justice_warehouse.synth.generate import build_all
from justice_warehouse.synth.referrals import REFERRAL_SOURCES, RJ_OFFENCE_WEIGHTS
from justice_warehouse.synth.register import DEFAULT_SEED

LATER_DELIVERIES = 12  # monthly, to 31 March 2020
NEW_REFERRALS_PER_MONTH = 45
NEW_REFERRALS_FROM = date(2019, 2, 1)
# Chance per month that a new referral's outcome is decided (took up, declined, no contact).
NEW_REFERRAL_RESOLVE_RATE = 0.75
STILL_ONGOING_SHARE = 0.1  # of the 89, still ongoing after the last delivery
CORRECTIONS_PER_DELIVERY = 2
APPOINTMENT_CORRECTIONS_PER_DELIVERY = 6
LATE_APPOINTMENTS_PER_DELIVERY = 3


_OFFENCE_SHARES = np.asarray(RJ_OFFENCE_WEIGHTS, dtype=float) / sum(RJ_OFFENCE_WEIGHTS)


README = """# Bundled deliveries (SYNTHETIC)

Every row here is SYNTHETIC: written by `justice-warehouse generate-seeds`
(`scripts/justice_warehouse/synth/sequence.py`, fixed random seed); do not edit by
hand, a test fails when these files differ from the generator's output. What became of the
referrals ongoing on 31 March 2019 was never published: nothing after that date is a
published figure.

One folder per monthly delivery, named by its date, each a complete extract set
(`docs/extract_contract.md`). `2019-03-31/` is a link to `../synthetic/`, the bundled
extracts that reproduce the published figures. Build the whole sequence with
`make build EXTRACTS=seeds/deliveries`.
"""


@dataclass(frozen=True)
class WrittenDelivery:
    delivery_date: date
    folder: Path
    rows: dict[str, int]


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def delivery_dates(bundled: date, count: int = LATER_DELIVERIES) -> list[date]:
    """The month ends after the bundled delivery's date, ``count`` of them."""
    dates = [month_end(bundled + timedelta(days=1))]
    while len(dates) < count:
        dates.append(month_end(dates[-1] + timedelta(days=1)))
    return dates


def _day_between(rng: np.random.Generator, start: date, end: date) -> date:
    """A day from ``start`` to ``end`` inclusive (``start`` when the range is empty)."""
    span = max((end - start).days, 0)
    return start + timedelta(days=int(rng.integers(0, span + 1)))


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _parse(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


class _Referral:
    """One referral's fields, as text in the extract, evolving over the deliveries."""

    def __init__(self, row: dict[str, str]):
        self.row = dict(row)

    def get(self, name: str) -> date | None:
        return _parse(self.row[name])

    def set(self, name: str, value: date | str | None) -> None:
        self.row[name] = value if isinstance(value, str) else _iso(value)

    def resolve(self, rng: np.random.Generator, start: date, end: date) -> None:
        """Give an ongoing referral its outcome, dated from ``start`` to ``end``."""
        earliest = max(self.get("first_contact_date") or self.get("referral_date"), start)
        earliest = max(earliest, self.get("referral_date") or start)
        if self.get("first_contact_date") is None and rng.random() < 0.35:
            closed = _day_between(rng, earliest, end)
            self.set("outcome", "no_contact")
            self.set("closure_date", closed)
            self.set("closure_reason", "unable_to_contact")
            return
        if self.get("first_contact_date") is None:
            self.set("first_contact_date", _day_between(rng, earliest, end))
        decided = _day_between(rng, max(earliest, self.get("first_contact_date")), end)
        self.set("decision_date", decided)
        if rng.random() < 0.45:
            self.set("outcome", "took_up")
            self.set("conversation_date", _day_between(rng, decided, end))
        else:
            self.set("outcome", "declined")
            self.set("closure_date", _day_between(rng, decided, end))
            self.set("closure_reason", "victim_declined")

    def close_take_up(self, rng: np.random.Generator, start: date, end: date) -> None:
        after = max(self.get("conversation_date") or start, start)
        self.set("closure_date", _day_between(rng, after, end))
        self.set("closure_reason", "intervention_completed")


def _new_referral(
    rng: np.random.Generator, number: int, referred: date, template: dict[str, str]
) -> _Referral:
    boroughs, offences = MET_BOROUGHS, OFFENCE_GROUPS
    sources = list(REFERRAL_SOURCES)
    row = dict.fromkeys(template, "")
    row.update(
        {
            "referral_id": f"RJ{number:05d}",
            "victim_ref": f"VIC-{20_000_000 + number:08d}",
            "offender_ref": f"OFR-{20_000_000 + number:08d}" if rng.random() < 0.9 else "",
            "referral_date": referred.isoformat(),
            "borough_code": boroughs[int(rng.integers(0, len(boroughs)))],
            "offence_group": offences[int(rng.choice(len(offences), p=_OFFENCE_SHARES))],
            "referral_source": sources[int(rng.integers(0, len(sources)))],
            "outcome": "ongoing",
        }
    )
    return _Referral(row)


def _evolve_referrals(
    rng: np.random.Generator, base: pd.DataFrame, bundled: date, dates: list[date]
) -> list[pd.DataFrame]:
    referrals = [_Referral(row) for row in base.to_dict("records")]
    ongoing = [r for r in referrals if r.row["outcome"] == "ongoing"]
    # When each of the 89 resolves: mostly within six months, a tenth never in the sequence.
    resolve_at = {
        id(r): (
            None
            if rng.random() < STILL_ONGOING_SHARE
            else int(min(rng.geometric(0.3) - 1, len(dates) - 1))
        )
        for r in ongoing
    }
    close_at: dict[int, int] = {}
    next_number = len(referrals) + 1
    frames, previous, month = [], bundled, NEW_REFERRALS_FROM
    for index, delivered in enumerate(dates):
        start = previous + timedelta(days=1)
        for referral in referrals:
            key = id(referral)
            if resolve_at.get(key) == index and referral.row["outcome"] == "ongoing":
                referral.resolve(rng, start, delivered)
                if referral.row["outcome"] == "took_up":
                    close_at[key] = index + int(rng.integers(1, 4))
            elif close_at.get(key) == index:
                referral.close_take_up(rng, start, delivered)
        # New referrals of the months not yet delivered (February 2019 onward).
        while month <= delivered.replace(day=1):
            month_end = min((month + timedelta(days=32)).replace(day=1) - timedelta(1), delivered)
            for _ in range(NEW_REFERRALS_PER_MONTH):
                referral = _new_referral(
                    rng, next_number, _day_between(rng, month, month_end), base.iloc[0].to_dict()
                )
                next_number += 1
                if rng.random() < 0.5:
                    first = referral.get("referral_date") + timedelta(int(rng.integers(1, 15)))
                    referral.set("first_contact_date", min(first, delivered))
                resolve_at[id(referral)] = index + int(rng.geometric(NEW_REFERRAL_RESOLVE_RATE))
                referrals.append(referral)
            month = (month + timedelta(days=32)).replace(day=1)
        # A few corrections of old records: a borough or an offence group keyed wrongly.
        for position in rng.choice(len(base), CORRECTIONS_PER_DELIVERY, replace=False):
            referral = referrals[int(position)]
            if rng.random() < 0.5:
                boroughs = MET_BOROUGHS
                referral.set("borough_code", boroughs[int(rng.integers(0, len(boroughs)))])
            else:
                offences = OFFENCE_GROUPS
                referral.set("offence_group", offences[int(rng.integers(0, len(offences)))])
        frames.append(pd.DataFrame([r.row for r in referrals], columns=base.columns))
        previous = delivered
    return frames


def _stamp(rng: np.random.Generator, delivered: date) -> str:
    """A record_updated_at in the delivery's month, on or before the delivery date."""
    day = _day_between(rng, delivered.replace(day=1), delivered)
    return f"{day.isoformat()} {int(rng.integers(8, 18)):02d}:{int(rng.integers(0, 60)):02d}:00"


def _appointment_changes(
    rng: np.random.Generator, base: pd.DataFrame, dates: list[date]
) -> list[pd.DataFrame]:
    """Per delivery, the corrected and the late appointment records."""
    codes = list(APPOINTMENT_ATTENDED) + list(APPOINTMENT_NOT_ATTENDED)
    next_number = len(base) + 1
    current = base.set_index("appointment_id", drop=False)
    frames = []
    for delivered in dates:
        picked = current.iloc[rng.choice(len(current), APPOINTMENT_CORRECTIONS_PER_DELIVERY)]
        corrected = picked.copy()
        corrected["outcome_code"] = [codes[int(rng.integers(0, len(codes)))] for _ in picked.index]
        corrected["record_updated_at"] = [_stamp(rng, delivered) for _ in picked.index]
        late = current.iloc[rng.choice(len(current), LATE_APPOINTMENTS_PER_DELIVERY)].copy()
        late["appointment_id"] = [
            f"APT{next_number + i:07d}" for i in range(LATE_APPOINTMENTS_PER_DELIVERY)
        ]
        next_number += LATE_APPOINTMENTS_PER_DELIVERY
        late["contact_type"] = "planned_office_visit"
        late["record_updated_at"] = [_stamp(rng, delivered) for _ in late.index]
        changes = pd.concat([corrected, late], ignore_index=True)
        current = pd.concat([current, late.set_index("appointment_id", drop=False)])
        current.update(corrected.set_index("appointment_id", drop=False))
        frames.append(changes.sort_values("appointment_id", ignore_index=True))
    return frames


def build_deliveries(
    bundled: date, seed: int = DEFAULT_SEED
) -> dict[date, dict[str, pd.DataFrame]]:
    """Every delivery after the bundled one (dated ``bundled``), by date, as data frames of
    its four extract files."""
    base = build_all(seed)
    rng = np.random.default_rng([seed, 2])
    dates = delivery_dates(bundled)
    referrals = _evolve_referrals(rng, base["rj_referrals"], bundled, dates)
    appointments = _appointment_changes(rng, base["probation_appointments"], dates)
    return {
        delivered: {
            "rj_referrals": referrals[index],
            "programme_budget_lines": base["programme_budget_lines"],
            "reoffending_costs": base["reoffending_costs"],
            "probation_appointments": appointments[index],
        }
        for index, delivered in enumerate(dates)
    }


def write_deliveries(
    out_dir: Path, bundled_dir: Path, bundled: date, seed: int = DEFAULT_SEED
) -> list[WrittenDelivery]:
    """Write each later delivery into ``out_dir/YYYY-MM-DD/``. The bundled delivery's own
    folder there is a relative link to ``bundled_dir``: one copy of those files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    first = out_dir / bundled.isoformat()
    if first.is_symlink():
        first.unlink()
    elif first.exists():
        shutil.rmtree(first)
    first.symlink_to(os.path.relpath(bundled_dir, out_dir), target_is_directory=True)
    (out_dir / "README.md").write_text(README)
    written = []
    for delivered, frames in build_deliveries(bundled, seed).items():
        folder = out_dir / delivered.isoformat()
        folder.mkdir(exist_ok=True)
        for name, frame in frames.items():
            frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")
        written.append(
            WrittenDelivery(delivered, folder, {name: len(f) for name, f in frames.items()})
        )
    return written
