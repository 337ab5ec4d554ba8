"""Deterministic generator of the synthetic row-level seeds.

Every row written here is SYNTHETIC: made up by this package from a fixed random seed.
The rows are built so that the published figures of check_kind ``calibrated`` in
``seeds/reference/published_figures.csv`` come out exactly (the referral outcome counts,
the direct conferences and London's reoffending total); the figures are read from that
register (``register.py``), never written here. Nothing here describes a real person or
case. All generation is vectorised with numpy; the same seed gives byte-identical CSVs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from justice_warehouse.synth.appointments import appointments
from justice_warehouse.synth.costs import budget_lines, reoffending_costs
from justice_warehouse.synth.referrals import referrals
from justice_warehouse.synth.register import DEFAULT_SEED

ROW_LEVEL_SEEDS = (
    "rj_referrals",
    "programme_budget_lines",
    "reoffending_costs",
    "probation_appointments",
)


@dataclass(frozen=True)
class GeneratedSeed:
    name: str
    path: Path
    rows: int


def build_all(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """All row-level seeds as data frames, each from its own stream of the one seed."""
    streams = np.random.SeedSequence(seed).spawn(3)
    return {
        "rj_referrals": referrals(np.random.default_rng(streams[0])),
        "programme_budget_lines": budget_lines(),
        "reoffending_costs": reoffending_costs(np.random.default_rng(streams[1])),
        "probation_appointments": appointments(np.random.default_rng(streams[2])),
    }


def write_seeds(out_dir: Path, seed: int = DEFAULT_SEED) -> list[GeneratedSeed]:
    """Write every row-level seed CSV (UTF-8, LF, header) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in build_all(seed).items():
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(GeneratedSeed(name=name, path=path, rows=len(frame)))
    return written
