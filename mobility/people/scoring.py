"""An assessment's result: the grid's sub-scores and mobility potential (`grid`), and the one
ladder they recommend (`mobility.people.ladder`, which reads the grid: hence its own module)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mobility.people.grid import mobility_potential, sub_scores
from mobility.people.ladder import build_ladder


def score_assessment(answers: Mapping[str, Any], scoring: Mapping[str, Any], *,
                     has_licence_b: bool | None = None,
                     feasibility: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Sub-scores, mobility potential and the ladder (`mobility.people.ladder`) for validated
    answers; `feasibility` is a commute check's `{"modes", "transit"}` (or None)."""
    scores = sub_scores(answers)
    feasibility = feasibility or {}
    ladder = build_ladder(answers=answers, scores=scores, thresholds=scoring["thresholds"],
                          has_licence_b=has_licence_b, modes=feasibility.get("modes"),
                          transit=feasibility.get("transit"),
                          carpool=feasibility.get("carpool"), minibus=feasibility.get("minibus"))
    ladder.pop("capacities", None)
    return {
        "sub_scores": scores,
        "mobility_potential": mobility_potential(scores, scoring["weights"]),
        "ladder": ladder,
    }
