"""The model each validation suite guards, in one place, without importing GX.

A suite's batch reads this model (``suites.py``; a test checks each suite's query names
it), and the orchestrator attaches the suite's result to it as an asset check.
"""

from __future__ import annotations

SUITE_GUARDS: dict[str, str] = {
    "referrals": "fct_rj_referrals",
    "referral_totals": "fct_rj_referrals",
    "budgets": "fct_programme_budget_lines",
    "reoffending_costs": "fct_reoffending_costs",
    "probation_appointments": "fct_probation_appointments",
    "probation_appointment_totals": "fct_probation_appointments",
    "probation_never_seen": "fct_probation_appointments",
    "published_figures": "published_figure_checks",
}
