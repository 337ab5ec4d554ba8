"""SYNTHETIC restorative-justice referrals, built so that the published outcome counts
and direct conferences (check_kind ``calibrated``) come out exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from justice_warehouse.synth.draws import MET_BOROUGHS, OFFENCE_GROUPS, iso_dates, shares_of
from justice_warehouse.synth.register import (
    referral_outcomes,
    rj_direct_conferences,
    rj_outcome_counts,
)

# Split of the other 231 take-ups between the two other stages: synthetic, not published.
RJ_INDIRECT_COMMUNICATION = 92


RJ_PROGRAMME_START = np.datetime64("2017-04-01")


RJ_PROGRAMME_END = np.datetime64("2019-01-31")


# The extract is taken as at this date; no event in it is later.
RJ_AS_AT = np.datetime64("2019-03-15")


# Synthetic weights: victims of violence, theft, robbery and criminal damage dominate.
RJ_OFFENCE_WEIGHTS = [30, 6, 14, 22, 10, 1, 2, 5, 1, 5, 3, 1]


REFERRAL_SOURCES = {
    "police": 55,
    "victim_services": 20,
    "self_referral": 8,
    "probation": 7,
    "prison": 4,
    "youth_offending_team": 3,
    "other": 3,
}


def referrals(rng: np.random.Generator) -> pd.DataFrame:
    """One row per victim referral to Restore:London (synthetic)."""
    outcome_counts = rj_outcome_counts()
    open_outcomes = [row["outcome"] for row in referral_outcomes() if row["is_closed"] != "true"]
    closed_outcomes = [row["outcome"] for row in referral_outcomes() if row["is_closed"] == "true"]
    assert open_outcomes == ["ongoing"], "the generator models one open outcome"
    conferences = rj_direct_conferences()
    n = sum(outcome_counts.values())
    window_days = int((RJ_PROGRAMME_END - RJ_PROGRAMME_START).astype(int)) + 1
    # Referrals grow over the programme's life.
    day_weights = shares_of(np.linspace(1.0, 2.0, window_days))
    referral_day = np.sort(rng.choice(window_days, size=n, p=day_weights))

    # Ongoing cases are mostly the late referrals; the rest are assigned at random.
    outcome = np.empty(n, dtype=object)
    late_weights = shares_of((np.arange(n) + 1.0) ** 4)
    ongoing = rng.choice(n, size=outcome_counts["ongoing"], replace=False, p=late_weights)
    outcome[ongoing] = "ongoing"
    is_assigned = np.zeros(n, dtype=bool)
    is_assigned[ongoing] = True
    rest = rng.permutation(np.flatnonzero(~is_assigned))
    start = 0
    for name in closed_outcomes:
        outcome[rest[start : start + outcome_counts[name]]] = name
        start += outcome_counts[name]

    took_up = np.flatnonzero(outcome == "took_up")
    stage = np.full(n, "none", dtype=object)
    shuffled = rng.permutation(took_up)
    stage[shuffled] = "restorative_conversation"
    stage[shuffled[:conferences]] = "direct_conference"
    stage[shuffled[conferences : conferences + RJ_INDIRECT_COMMUNICATION]] = (
        "indirect_communication"
    )

    is_took_up = outcome == "took_up"
    is_declined = outcome == "declined"
    is_no_contact = outcome == "no_contact"
    is_ongoing = outcome == "ongoing"
    is_conference = stage == "direct_conference"
    has_indirect = (stage == "indirect_communication") | (is_conference & (rng.random(n) < 0.5))
    is_contacted = is_took_up | is_declined | (is_ongoing & (rng.random(n) < 0.6))
    is_decided = is_took_up | is_declined

    # Offsets in days from the referral, cumulative so that their order always holds.
    contact = rng.integers(1, 29, n)
    decision = contact + rng.integers(0, 22, n)
    conversation = decision + rng.integers(7, 46, n)
    indirect = conversation + np.where(has_indirect, rng.integers(7, 43, n), 0)
    conference = indirect + np.where(is_conference, rng.integers(14, 61, n), 0)
    last_event = np.select(
        [is_took_up, is_declined, is_no_contact],
        [conference, decision, contact + rng.integers(21, 57, n)],
        default=contact,
    )
    closure = last_event + np.where(is_took_up, rng.integers(7, 31, n), rng.integers(0, 15, n))
    # Squeeze each chain into the time left before the extract date, keeping its order.
    room = (RJ_AS_AT - RJ_PROGRAMME_START).astype(int) - referral_day
    scale = np.minimum(1.0, room / np.maximum(closure, 1))
    contact, decision, conversation, indirect, conference, closure = (
        np.floor(offset * scale).astype(np.int64)
        for offset in (contact, decision, conversation, indirect, conference, closure)
    )

    closure_reason = np.select(
        [is_took_up, is_declined, is_no_contact],
        ["intervention_completed", "victim_declined", "unable_to_contact"],
        default="",
    )
    boroughs = rng.choice(MET_BOROUGHS, size=n, p=shares_of(rng.gamma(4.0, 1.0, len(MET_BOROUGHS))))
    has_offender_ref = rng.random(n) < 0.9
    base = RJ_PROGRAMME_START
    return pd.DataFrame(
        {
            "referral_id": [f"RJ{i:05d}" for i in range(1, n + 1)],
            "victim_ref": [
                f"VIC-{v:07d}" for v in rng.choice(9_000_000, n, replace=False) + 1_000_000
            ],
            "offender_ref": pd.Series(
                [f"OFR-{v:07d}" for v in rng.choice(9_000_000, n, replace=False) + 1_000_000]
            ).where(has_offender_ref, ""),
            "referral_date": iso_dates(referral_day, base),
            "borough_code": boroughs,
            "offence_group": rng.choice(OFFENCE_GROUPS, size=n, p=shares_of(RJ_OFFENCE_WEIGHTS)),
            "referral_source": rng.choice(
                list(REFERRAL_SOURCES), size=n, p=shares_of(list(REFERRAL_SOURCES.values()))
            ),
            "first_contact_date": iso_dates(referral_day + contact, base, is_contacted),
            "decision_date": iso_dates(referral_day + decision, base, is_decided),
            "outcome": outcome,
            "conversation_date": iso_dates(referral_day + conversation, base, is_took_up),
            "indirect_communication_date": iso_dates(referral_day + indirect, base, has_indirect),
            "conference_date": iso_dates(referral_day + conference, base, is_conference),
            "closure_date": iso_dates(referral_day + closure, base, ~is_ongoing),
            "closure_reason": closure_reason,
        }
    )
