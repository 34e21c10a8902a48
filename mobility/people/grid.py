"""The mobility skills assessment grid, its scoring and the recommended solution ladder.

Pure functions: no database, no request. The grid is a list of sections (one sub-score each);
a section holds questions; each allowed answer carries a value between 0 and 1 (1: the answer
that helps mobility most).

Scoring (documented in docs/people.md):

- a question's value is its answer's value; a multiple-choice question's value is the sum of the
  chosen answers' values, capped at 1;
- a section's sub-score is the mean of its answered questions' values × 100, rounded
  (0–100); a section with no answer scores 0;
- the **mobility potential** is the weighted mean of the sub-scores, with per-platform weights
  (`DEFAULT_SCORING["weights"]`), rounded to an integer 0–100.

The solution ladder these answers feed lives in `mobility.people.ladder` (one ladder for the
whole app); the thresholds below are the ones it reads.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mobility.core.translations import lazy_gettext as _l

# -- the grid ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    label: Any
    answers: tuple[tuple[str, Any, float], ...]  # (code, label, value 0..1)
    multiple: bool = False

    def value_of(self, answer: str) -> float:
        return next(v for code, _label, v in self.answers if code == answer)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label, _v in self.answers)


@dataclass(frozen=True)
class Section:
    key: str
    label: Any
    questions: tuple[Question, ...]


YES_HELP_NO = (("yes", _l("Yes, alone"), 1.0), ("with_help", _l("With help"), 0.5),
               ("no", _l("No"), 0.0))

GRID: tuple[Section, ...] = (
    Section("travel_practices", _l("Travel practices"), (
        Question("modes_used", _l("Modes of transport used in the last month"), (
            ("walk", _l("Walking"), 0.2), ("bus", _l("Bus or tram"), 0.4),
            ("train", _l("Train"), 0.4), ("bike", _l("Bike"), 0.3),
            ("two_wheeler", _l("Scooter or moped"), 0.3),
            ("car_passenger", _l("Car, as a passenger"), 0.2),
            ("car_driver", _l("Car, as the driver"), 0.4), ("none", _l("None"), 0.0),
        ), multiple=True),
        Question("trips_alone", _l("Trips made alone"), (
            ("anywhere", _l("Anywhere, including new places"), 1.0),
            ("familiar_only", _l("Only familiar trips"), 0.6),
            ("with_help", _l("Only with someone"), 0.2),
            ("never", _l("Never"), 0.0),
        )),
        Question("longest_trip", _l("Longest trip made in the last year"), (
            ("region", _l("Another region or country"), 1.0),
            ("nearby_towns", _l("Neighbouring towns"), 0.7),
            ("town", _l("Within the town"), 0.3),
            ("neighbourhood", _l("Within the neighbourhood"), 0.0),
        )),
    )),
    Section("psychomotor", _l("Psychomotor capacities"), (
        Question("walking", _l("Walking 15 minutes"), (
            ("easy", _l("Easily"), 1.0), ("with_effort", _l("With effort"), 0.5),
            ("unable", _l("Not possible"), 0.0),
        )),
        Question("balance", _l("Balance and coordination"), (
            ("good", _l("Good"), 1.0), ("fair", _l("Fair"), 0.5), ("poor", _l("Poor"), 0.0),
        )),
        Question("perception", _l("Sight, hearing and perception of distances and speeds"), (
            ("good", _l("Good"), 1.0), ("fair", _l("Fair"), 0.5), ("poor", _l("Poor"), 0.0),
        )),
    )),
    Section("urban", _l("Urban aptitudes"), (
        Question("reads_map", _l("Reads a map or a network plan"), YES_HELP_NO),
        Question("reads_timetable", _l("Reads a timetable"), YES_HELP_NO),
        Question("buys_ticket", _l("Buys a ticket (machine, app, counter)"), YES_HELP_NO),
        Question("orientation", _l("Finds their way in an unknown place"), YES_HELP_NO),
    )),
    Section("road", _l("Road aptitudes"), (
        Question("rides_bike", _l("Rides a bike"), (
            ("confident", _l("Confidently, in traffic"), 1.0),
            ("can_ride", _l("Yes, away from traffic"), 0.6),
            ("learning", _l("Is learning"), 0.2), ("no", _l("No"), 0.0),
        )),
        Question("two_wheeler", _l("Rides a scooter or moped"), (
            ("yes", _l("Yes, regularly"), 1.0), ("some", _l("Has tried"), 0.5),
            ("no", _l("No"), 0.0),
        )),
        Question("licence_b", _l("Driving licence B"), (
            ("held", _l("Held"), 1.0), ("in_progress", _l("In progress"), 0.4),
            ("suspended", _l("Suspended or cancelled"), 0.0), ("no", _l("No"), 0.0),
        )),
        Question("driving_experience", _l("Driving experience"), (
            ("regular", _l("Drives regularly"), 1.0),
            ("occasional", _l("Drives occasionally"), 0.6),
            ("none", _l("Has not driven for years or never"), 0.0),
        )),
    )),
    Section("transit", _l("Knowledge of public transport"), (
        Question("knows_network", _l("Knows the local network (lines, stops)"), (
            ("good", _l("Well"), 1.0), ("partial", _l("Partly"), 0.5), ("none", _l("No"), 0.0),
        )),
        Question("knows_fare_rights", _l("Knows their free or reduced fare rights"), (
            ("yes", _l("Yes"), 1.0), ("partial", _l("Partly"), 0.5), ("no", _l("No"), 0.0),
        )),
    )),
    Section("means", _l("Means"), (
        Question("budget", _l("Budget for transport"), (
            ("enough", _l("Enough"), 1.0), ("tight", _l("Tight"), 0.5),
            ("none", _l("None"), 0.0),
        )),
        Question("equipment", _l("Equipment"), (
            ("phone_data", _l("A phone with mobile data"), 0.4),
            ("transit_pass", _l("A transit pass"), 0.3), ("bike", _l("A bike"), 0.3),
            ("helmet", _l("A helmet"), 0.2), ("none", _l("None"), 0.0),
        ), multiple=True),
    )),
    Section("constraints", _l("Constraints"), (
        Question("hours", _l("Working or training hours"), (
            ("standard", _l("Standard hours"), 1.0),
            ("early_late", _l("Early or late shifts"), 0.5),
            ("night", _l("Night shifts"), 0.2),
        )),
        Question("children", _l("Children to take to school or childcare"), (
            ("none", _l("No"), 1.0), ("school", _l("School-age children"), 0.6),
            ("young", _l("Young children"), 0.3),
        )),
        Question("health", _l("Health constraints on travelling"), (
            ("none", _l("None"), 1.0), ("some", _l("Some"), 0.5), ("major", _l("Major"), 0.0),
        )),
    )),
)

QUESTIONS: dict[str, Question] = {q.key: q for s in GRID for q in s.questions}
SECTION_OF: dict[str, str] = {q.key: s.key for s in GRID for q in s.questions}

#: Defaults; a platform overrides any key in `PeopleSettings.config["scoring"]`.
DEFAULT_SCORING: dict[str, Any] = {
    # weight of each section's sub-score in the mobility potential (any positive numbers)
    "weights": {"travel_practices": 15, "psychomotor": 10, "urban": 20, "road": 15,
                "transit": 15, "means": 15, "constraints": 10},
    "thresholds": {
        # coaching is recommended with public transport when urban or transit is below this
        "coaching_below": 60,
        # bike and e-bike need at least this psychomotor sub-score
        "bike_min_psychomotor": 50,
        # public transport needs at least this urban sub-score (with coaching) ...
        "transit_min_urban": 25,
    },
}


def merged_scoring(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The default scoring with a platform's overrides applied (unknown keys ignored)."""
    scoring = copy.deepcopy(DEFAULT_SCORING)
    for part in ("weights", "thresholds"):
        for key, value in ((overrides or {}).get(part) or {}).items():
            if key in scoring[part]:
                scoring[part][key] = value
    return scoring


def validate_scoring(config: Any) -> dict[str, Any]:
    """Check a scoring override; returns {field: message} (empty when valid)."""
    errors: dict[str, Any] = {}
    if not isinstance(config, dict):
        return {"scoring": _l("Must be an object.")}
    for part in config:
        if part not in DEFAULT_SCORING:
            errors[part] = _l("This field is not expected.")
    for part in ("weights", "thresholds"):
        values = config.get(part, {})
        if not isinstance(values, dict):
            errors[part] = _l("Must be an object.")
            continue
        for key, value in values.items():
            if key not in DEFAULT_SCORING[part]:
                errors[f"{part}.{key}"] = _l("This field is not expected.")
            elif not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                errors[f"{part}.{key}"] = _l("Must be a positive number.")
            elif part == "thresholds" and value > 100:
                errors[f"{part}.{key}"] = _l("Must be between 0 and 100.")
    if not errors and sum(merged_scoring(config)["weights"].values()) <= 0:
        errors["weights"] = _l("At least one weight must be above zero.")
    return errors


def grid_document() -> list[dict[str, Any]]:
    """The grid as JSON: sections, questions and allowed answers (labels in the locale)."""
    return [
        {"key": s.key, "label": str(s.label), "questions": [
            {"key": q.key, "label": str(q.label), "multiple": q.multiple,
             "answers": [{"code": c, "label": str(lbl), "value": v} for c, lbl, v in q.answers]}
            for q in s.questions
        ]}
        for s in GRID
    ]


def _checked_answer(question: Question, value: Any) -> tuple[Any, Any]:
    """(the clean answer, None) or (None, why it is refused) for one question of the grid."""
    if value is None or value == [] or value == "":
        return None, _l("This question needs an answer.")
    if not question.multiple:
        if not isinstance(value, str) or value not in question.codes:
            return None, _l("This answer is not one of the allowed choices.")
        return value, None
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v in question.codes for v in values):
        return None, _l("This answer is not one of the allowed choices.")
    if "none" in values and len(values) > 1:
        return None, _l("\"None\" cannot be combined with other answers.")
    return sorted(set(values), key=question.codes.index), None


def validate_answers(answers: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Normalise answers; returns (clean answers, {question: error message}).

    Every question of the grid must be answered with one of its codes (a list of codes for a
    multiple-choice question).
    """
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    if not isinstance(answers, dict):
        return {}, {"answers": _l("Must be an object.")}
    for key in answers:
        if key not in QUESTIONS:
            errors[f"answers.{key}"] = _l("This question is not in the grid.")
    for key, question in QUESTIONS.items():
        value, error = _checked_answer(question, answers.get(key))
        if error is not None:
            errors[f"answers.{key}"] = error
        else:
            clean[key] = value
    return clean, errors


def sub_scores(answers: Mapping[str, Any]) -> dict[str, int]:
    """Each section's sub-score, 0–100."""
    scores = {}
    for section in GRID:
        values = []
        for q in section.questions:
            answer = answers.get(q.key)
            if answer is None:
                continue
            if q.multiple:
                values.append(min(1.0, sum(q.value_of(a) for a in answer)))
            else:
                values.append(q.value_of(answer))
        scores[section.key] = round(100 * sum(values) / len(values)) if values else 0
    return scores


def mobility_potential(scores: Mapping[str, int], weights: Mapping[str, float]) -> int:
    """The weighted mean of the sub-scores, 0–100."""
    total = sum(weights.get(k, 0) for k in scores)
    if total <= 0:
        return 0
    return round(sum(scores[k] * weights.get(k, 0) for k in scores) / total)
