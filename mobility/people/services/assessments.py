"""Mobility assessments: entry and exit scored by the grid, with the ladder."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from mobility.audit.services import record_audit
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.people import grid
from mobility.people.ladder import feasibility_from_flags, present_ladder
from mobility.people.models import Beneficiary, MobilityAssessment
from mobility.people.scoring import score_assessment
from mobility.people.services.common import NOT_A_CHOICE, check_day
from mobility.people.services.files import feasibility_of
from mobility.people.settings import scoring_for

ASSESSMENT_KINDS = ("entry", "exit")


def record_assessment(actor, beneficiary: Beneficiary, *, kind: str, answers: Any,
                      assessed_on: date | None = None,
                      feasibility: Mapping[str, Any] | None = None) -> MobilityAssessment:
    """Score an entry or exit assessment of the current pathway and store it.

    The exit assessment needs the entry one (no exit before entry) and may be recorded on an
    exited pathway; each kind is recorded once per pathway.
    """
    if kind not in ASSESSMENT_KINDS:
        raise ValidationFailed(details={"kind": NOT_A_CHOICE})
    clean, errors = grid.validate_answers(answers)
    if errors:
        raise ValidationFailed(_l("Some answers are missing or not in the grid."),
                               details=errors)
    pathway = beneficiary.open_pathway if kind == "entry" else beneficiary.current_pathway
    if pathway is None:
        raise Conflict(_l("This person has no pathway in progress."), code="no_open_pathway")
    assessed_on = check_day(assessed_on, "assessed_on", pathway)
    entry = pathway.assessment("entry")
    if pathway.assessment(kind) is not None:
        raise Conflict(_l("This assessment was already recorded for this pathway."),
                       code="assessment_exists")
    if kind == "exit":
        if entry is None:
            raise Conflict(_l("Record the entry assessment before the exit assessment."),
                           code="exit_before_entry")
        if assessed_on < entry.assessed_on:
            raise ValidationFailed(details={
                "assessed_on": _l("The exit assessment cannot be before the entry assessment.")})
    scoring = scoring_for(beneficiary.platform_id)
    if feasibility is None:
        feasibility = feasibility_of(beneficiary)
    elif not {"modes", "transit"} & set(feasibility):  # the API's {mode or level: bool}
        feasibility = feasibility_from_flags(feasibility)
    has_licence = True if (beneficiary.has_licence_b or beneficiary.licence_b_since) else None
    result = score_assessment(clean, scoring, has_licence_b=has_licence,
                                   feasibility=feasibility)
    assessment = MobilityAssessment(
        platform_id=beneficiary.platform_id, beneficiary_id=beneficiary.id,
        pathway_id=pathway.id, kind=kind, assessed_on=assessed_on, assessor_id=actor.id,
        answers=clean, sub_scores=result["sub_scores"],
        mobility_potential=result["mobility_potential"], ladder=result["ladder"],
        scoring=scoring,
    )
    db.session.add(assessment)
    db.session.flush()
    record_audit(actor, "create", object_type="MobilityAssessment", object_id=assessment.id,
                 fields=["kind", "answers"])
    db.session.commit()
    return assessment


def ladder_for_display(ladder: Any) -> dict[str, Any]:
    """The ladder stored with an assessment, labels and reasons in the current locale."""
    return present_ladder(ladder)


def assessment_json(assessment: MobilityAssessment) -> dict[str, Any]:
    entry = assessment.pathway.assessment("entry") if assessment.kind == "exit" else None
    data = {
        "id": assessment.id, "beneficiary_id": assessment.beneficiary_id,
        "pathway_id": assessment.pathway_id, "kind": assessment.kind,
        "assessed_on": assessment.assessed_on.isoformat(),
        "answers": assessment.answers, "sub_scores": assessment.sub_scores,
        "mobility_potential": assessment.mobility_potential,
        "ladder": ladder_for_display(assessment.ladder),
        "recommended": ladder_for_display(assessment.ladder)["recommended"],
        "scoring": assessment.scoring,
    }
    if entry is not None:
        data["entry_mobility_potential"] = entry.mobility_potential
        data["gain"] = assessment.mobility_potential - entry.mobility_potential
        data["sub_score_gains"] = {k: v - entry.sub_scores.get(k, 0)
                                   for k, v in assessment.sub_scores.items()}
    return data


