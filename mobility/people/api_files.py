"""API v1 for beneficiary files: the file, its assessments, eligibility and overrides, the
pathway's notes, feedback, actions and exit."""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select

from mobility.api import api_route
from mobility.audit.services import record_view
from mobility.auth.policies import get_or_404
from mobility.core.db import db
from mobility.core.roles import ADMIN, ADVISOR, ALL_ROLES, BENEFICIARY, FLEET_MANAGER
from mobility.pagination import PageQuery, page_response
from mobility.people import grid, ladder, services
from mobility.people.api import STAFF, TAGS, ContractType, Gender, Obstacle, Strict
from mobility.people.models import (
    EMPLOYMENT_KINDS,
    EXIT_EMPLOYMENT,
    EXIT_REASONS,
    EXIT_SOLUTIONS,
    NOTE_KINDS,
    RESOURCES_BANDS,
    Beneficiary,
    CaseNote,
    MobilityAssessment,
)


class EmploymentIn(Strict):
    kind: Literal[tuple(EMPLOYMENT_KINDS)] | None = None  # type: ignore[valid-type]
    employer: str | None = Field(default=None, max_length=200)
    workplace_address: str | None = Field(default=None, max_length=300)
    contract_type: ContractType | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    shift_start: time | None = None
    shift_end: time | None = None
    shift_notes: str | None = Field(default=None, max_length=200)


class LicenceIn(Strict):
    category: Literal["AM", "A1", "A2", "A", "B"]
    obtained_on: date | None = None
    valid_until: date | None = None
    suspended: bool = False
    a1_training: bool = Field(default=False, description="B holder's 7-hour training for a "
                              "125 cm³ (needs B held two years)")


class BeneficiaryPatch(Strict):
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    birth_date: date | None = None
    gender: Gender | None = None
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=300)
    receives_rsa: bool | None = None
    lives_in_qpv: bool | None = None
    resources_band: Literal[tuple(RESOURCES_BANDS)] | None = None  # type: ignore[valid-type]
    has_disability: bool | None = None
    health_constraints: str | None = Field(default=None, max_length=2000)
    obstacles: list[Obstacle] | None = None
    licences: list[LicenceIn] | None = Field(
        default=None, max_length=5, description="Licences held; `has_licence_b` and "
        "`licence_b_since` remain accepted as a shorthand for the B licence")
    has_licence_b: bool | None = None
    licence_b_since: date | None = None
    employment: EmploymentIn | None = None
    membership_date: date | None = None
    membership_fee_paid: bool | None = None
    referent_id: int | None = None


class BeneficiaryIn(BeneficiaryPatch):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)


def _flatten(body: BeneficiaryPatch) -> dict[str, Any]:
    """The body's fields that were sent, employment flattened to the file's columns."""
    values = {k: getattr(body, k) for k in body.model_fields_set if k != "employment"}
    if values.get("licences") is not None:
        values["licences"] = [item.model_dump() for item in body.licences or []]
    for flag in ("receives_rsa", "lives_in_qpv", "has_disability", "membership_fee_paid",
                 "has_licence_b"):
        if flag in values and values[flag] is None:
            values[flag] = False
    if "employment" in body.model_fields_set and body.employment is not None:
        employment = body.employment
        for key in employment.model_fields_set:
            values["employment_kind" if key == "kind" else key] = getattr(employment, key)
    return values


class BeneficiaryQuery(Strict, PageQuery):
    q: str | None = Field(default=None, max_length=100)
    stage: Literal["accepted", "assessed", "exited", "no_pathway"] | None = None


class AssessmentIn(Strict):
    kind: Literal["entry", "exit"]
    answers: dict[str, Any]
    assessed_on: date | None = None
    feasibility: dict[str, bool] | None = None


class EligibilityQuery(Strict):
    scheme: Literal["amie", "bougez"]


class OverrideIn(Strict):
    scheme: Literal["amie", "bougez"]
    justification: str = Field(max_length=4000)
    criteria: list[Literal["followed", "min_age", "licence", "contract", "rental_left",
                           "obstacle"]] | None = Field(
        default=None, max_length=6, description="The criteria it lifts (default: those failed "
        "today); the legal licence and age checks of a booking are never lifted")
    expires_on: date | None = Field(default=None, description="Last day it applies (default: "
                                    "until the pathway ends)")


class ExitIn(Strict):
    exit_date: date
    reason: Literal[tuple(EXIT_REASONS)]  # type: ignore[valid-type]
    solution: Literal[tuple(EXIT_SOLUTIONS)]  # type: ignore[valid-type]
    employment: Literal[tuple(EXIT_EMPLOYMENT)]  # type: ignore[valid-type]
    notes: str | None = Field(default=None, max_length=4000)


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=8000)
    kind: Literal[tuple(NOTE_KINDS)] = "meeting"  # type: ignore[valid-type]
    noted_on: date | None = None


class FeedbackIn(Strict):
    summary: str = Field(min_length=1, max_length=2000)


class ActionIn(Strict):
    kind: Literal["coaching", "partner_referral"]
    done_on: date | None = None
    title: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=4000)
    partner_organisation_id: int | None = None


# -- beneficiaries -----------------------------------------------------------------------------


@api_route("/beneficiaries", methods=("POST",), roles=STAFF, body=BeneficiaryIn, status=201,
           summary="Create a beneficiary file (refuses a duplicate name + birth date)", tags=TAGS)
def create_beneficiary(user, body: BeneficiaryIn):
    beneficiary = services.create_beneficiary(user, _flatten(body))
    return services.beneficiary_json(beneficiary, user)


@api_route("/beneficiaries", roles=STAFF, query=BeneficiaryQuery, response=list,
           summary="Beneficiaries, with a search and a stage filter, by name, a page at a time "
           "(Link: rel=next)", tags=TAGS)
def list_beneficiaries(user, query: BeneficiaryQuery):
    rows = services.beneficiary_page(user, q=query.q, stage=query.stage, cursor=query.cursor,
                                     limit=query.limit)
    return page_response(rows, [
        {"id": b.id, "first_name": b.first_name, "last_name": b.last_name,
         "birth_date": b.birth_date.isoformat() if b.birth_date else None,
         "stage": services.stage_of(b)} for b in rows])


@api_route("/beneficiaries/<int:beneficiary_id>", roles={ADMIN, ADVISOR, FLEET_MANAGER,
                                                         BENEFICIARY},
           summary="A beneficiary file (what the role may read)", tags=TAGS)
def get_beneficiary(user, beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user)
    data = services.beneficiary_json(beneficiary, user)
    record_view(user, beneficiary, fields=sorted(data))
    return data


@api_route("/beneficiaries/<int:beneficiary_id>", methods=("PATCH",), roles=STAFF,
           body=BeneficiaryPatch, summary="Change a beneficiary file", tags=TAGS)
def patch_beneficiary(user, beneficiary_id: int, body: BeneficiaryPatch):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    services.update_beneficiary(user, beneficiary, _flatten(body))
    return services.beneficiary_json(beneficiary, user)


# -- assessments -------------------------------------------------------------------------------


@api_route("/assessment-grid", roles=ALL_ROLES,
           summary="The mobility skills assessment grid: questions and allowed answers",
           tags=TAGS)
def assessment_grid(user):
    scoring = services.scoring_for(user.platform_id)
    return {"sections": grid.grid_document(), "scoring": scoring,
            "ladder_levels": [{"level": lv, "label": str(ladder.LEVEL_LABELS[lv])}
                              for lv in ladder.LEVELS]}


@api_route("/beneficiaries/<int:beneficiary_id>/assessments", methods=("POST",), roles=STAFF,
           body=AssessmentIn, status=201,
           summary="Record an entry or exit assessment; returns the potential and the ladder",
           tags=TAGS)
def create_assessment(user, beneficiary_id: int, body: AssessmentIn):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    assessment = services.record_assessment(
        user, beneficiary, kind=body.kind, answers=body.answers, assessed_on=body.assessed_on,
        feasibility=body.feasibility)
    return services.assessment_json(assessment)


@api_route("/beneficiaries/<int:beneficiary_id>/assessments", roles={ADMIN, ADVISOR,
                                                                     BENEFICIARY},
           summary="A beneficiary's assessments", tags=TAGS)
def list_assessments(user, beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user)
    rows = db.session.scalars(select(MobilityAssessment).where(
        MobilityAssessment.beneficiary_id == beneficiary.id).order_by(MobilityAssessment.id))
    return [services.assessment_json(a) for a in rows]


# -- eligibility -------------------------------------------------------------------------------


@api_route("/beneficiaries/<int:beneficiary_id>/eligibility", roles=STAFF,
           query=EligibilityQuery, summary="Eligibility to a scheme, with a reason per criterion",
           tags=TAGS)
def get_eligibility(user, beneficiary_id: int, query: EligibilityQuery):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user)
    return services.eligibility_for(beneficiary, query.scheme)


@api_route("/beneficiaries/<int:beneficiary_id>/eligibility-overrides", methods=("POST",),
           roles=STAFF, body=OverrideIn, status=201,
           summary="Admit a person to a scheme despite its rules, with a justification",
           tags=TAGS)
def create_override(user, beneficiary_id: int, body: OverrideIn):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    services.override_eligibility(user, beneficiary, scheme=body.scheme,
                                  justification=body.justification, criteria=body.criteria,
                                  expires_on=body.expires_on)
    return services.eligibility_for(beneficiary, body.scheme)


# -- pathway -----------------------------------------------------------------------------------


def _pathway_json(pathway) -> dict[str, Any]:
    return {"id": pathway.id, "beneficiary_id": pathway.beneficiary_id, "status": pathway.status,
            "opened_on": pathway.opened_on.isoformat(),
            "exit_date": pathway.exit_date.isoformat() if pathway.exit_date else None,
            "exit_reason": pathway.exit_reason, "exit_solution": pathway.exit_solution,
            "exit_employment": pathway.exit_employment, "gain": pathway.gain}


@api_route("/beneficiaries/<int:beneficiary_id>/exit", methods=("POST",), roles=STAFF,
           body=ExitIn, summary="Record the exit of the pathway in progress", tags=TAGS)
def record_exit(user, beneficiary_id: int, body: ExitIn):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    pathway = services.record_exit(user, beneficiary, exit_date=body.exit_date,
                                   reason=body.reason, solution=body.solution,
                                   employment=body.employment, notes=body.notes)
    return _pathway_json(pathway)


@api_route("/beneficiaries/<int:beneficiary_id>/notes", methods=("POST",), roles=STAFF,
           body=NoteIn, status=201, summary="Add a case note", tags=TAGS)
def create_note(user, beneficiary_id: int, body: NoteIn):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    note = services.add_case_note(user, beneficiary, text=body.text, kind=body.kind,
                                  noted_on=body.noted_on)
    return {"id": note.id, "kind": note.kind, "noted_on": note.noted_on.isoformat(),
            "text": note.text, "author_id": note.author_id}


@api_route("/beneficiaries/<int:beneficiary_id>/notes", roles=STAFF,
           summary="Case notes of a file", tags=TAGS)
def list_notes(user, beneficiary_id: int):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user)
    rows = db.session.scalars(select(CaseNote).where(CaseNote.beneficiary_id == beneficiary.id)
                              .order_by(CaseNote.noted_on.desc(), CaseNote.id.desc()))
    record_view(user, beneficiary, fields=["case_notes"])
    return [{"id": n.id, "kind": n.kind, "noted_on": n.noted_on.isoformat(), "text": n.text,
             "author_id": n.author_id} for n in rows]


@api_route("/beneficiaries/<int:beneficiary_id>/feedback", methods=("POST",), roles=STAFF,
           body=FeedbackIn, status=201, summary="Send a short summary to the referent",
           tags=TAGS)
def create_feedback(user, beneficiary_id: int, body: FeedbackIn):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    feedback = services.send_feedback(user, beneficiary, summary=body.summary)
    return {"id": feedback.id, "summary": feedback.summary,
            "sent_at": feedback.sent_at.isoformat()}


@api_route("/beneficiaries/<int:beneficiary_id>/actions", methods=("POST",), roles=STAFF,
           body=ActionIn, status=201,
           summary="Record a coaching session or a referral to a partner operator", tags=TAGS)
def create_action(user, beneficiary_id: int, body: ActionIn):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    action = services.add_action(user, beneficiary, **body.model_dump())
    return {"id": action.id, "kind": action.kind, "done_on": action.done_on.isoformat(),
            "title": action.title, "pathway_id": action.pathway_id,
            "partner_organisation_id": action.partner_organisation_id}


