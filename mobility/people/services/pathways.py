"""A pathway's life: case notes, feedback to referents, actions, the exit and a reopening,
the timeline of the file."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from mobility.audit.services import record_audit
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import local_date
from mobility.organisations.services import organisation_in_platform
from mobility.people import signals
from mobility.people.models import (
    ACTION_KINDS,
    EXIT_EMPLOYMENT,
    EXIT_REASONS,
    EXIT_SOLUTIONS,
    NOTE_KINDS,
    REFERRAL_REASONS,
    Beneficiary,
    CaseNote,
    Pathway,
    PathwayAction,
    ReferentFeedback,
    Referral,
)
from mobility.people.services.common import NOT_A_CHOICE, check_day, new_pathway, open_pathway_of

# -- notes, feedback, actions -----------------------------------------------------------------


def add_case_note(actor, beneficiary: Beneficiary, *, text: str, kind: str = "meeting",
                  noted_on: date | None = None) -> CaseNote:
    errors = {}
    if not (text or "").strip():
        errors["text"] = _l("This field is required.")
    if kind not in NOTE_KINDS:
        errors["kind"] = _l("This value is not one of the allowed choices.")
    if errors:
        raise ValidationFailed(details=errors)
    noted_on = check_day(noted_on, "noted_on")
    pathway = beneficiary.current_pathway
    note = CaseNote(platform_id=beneficiary.platform_id, beneficiary_id=beneficiary.id,
                    pathway_id=pathway.id if pathway else None, author_id=actor.id, kind=kind,
                    noted_on=noted_on, text=text.strip())
    db.session.add(note)
    db.session.flush()
    record_audit(actor, "create", object_type="CaseNote", object_id=note.id,
                 fields=["text", "kind", "noted_on"])
    db.session.commit()
    return note


def send_feedback(actor, beneficiary: Beneficiary, *, summary: str) -> ReferentFeedback:
    """A short summary for the referents of the pathway's referrals (shown on their side)."""
    summary = (summary or "").strip()
    if not summary:
        raise ValidationFailed(details={"summary": _l("This field is required.")})
    if len(summary) > 2000:
        raise ValidationFailed(details={"summary": _l("This text is too long.")})
    pathway = beneficiary.current_pathway
    if pathway is None or not pathway.referrals:
        raise Conflict(_l("No referent to send feedback to: this pathway has no referral."),
                       code="no_referent")
    feedback = ReferentFeedback(platform_id=beneficiary.platform_id, pathway_id=pathway.id,
                                author_id=actor.id, summary=summary)
    db.session.add(feedback)
    db.session.flush()
    record_audit(actor, "create", object_type="ReferentFeedback", object_id=feedback.id,
                 fields=["summary"])
    signals.feedback_given.send(feedback, actor=actor, beneficiary=beneficiary, pathway=pathway)
    db.session.commit()
    return feedback


def add_action(actor, beneficiary: Beneficiary, *, kind: str, done_on: date | None = None,
               title: str | None = None, notes: str | None = None,
               partner_organisation_id: int | None = None) -> PathwayAction:
    """Record an action of the open pathway (coaching, referral to a partner operator...)."""
    if kind not in ACTION_KINDS:
        raise ValidationFailed(details={"kind": NOT_A_CHOICE})
    pathway = open_pathway_of(beneficiary)
    done_on = check_day(done_on, "done_on", pathway)
    partner = None
    if kind == "partner_referral":
        if partner_organisation_id is None:
            raise ValidationFailed(details={
                "partner_organisation_id": _l("Choose the partner operator.")})
        partner = organisation_in_platform(actor, partner_organisation_id,
                                           "partner_organisation_id")
    action = PathwayAction(platform_id=beneficiary.platform_id, pathway_id=pathway.id, kind=kind,
                           done_on=done_on, title=(title or "").strip() or None,
                           notes=(notes or "").strip() or None,
                           partner_organisation_id=partner.id if partner else None,
                           author_id=actor.id)
    db.session.add(action)
    db.session.flush()
    record_audit(actor, "create", object_type="PathwayAction", object_id=action.id,
                 fields=["kind", "done_on", "title", "notes"])
    db.session.commit()
    return action


# -- exit --------------------------------------------------------------------------------------


def record_exit(actor, beneficiary: Beneficiary, *, exit_date: date, reason: str,
                solution: str, employment: str, notes: str | None = None) -> Pathway:
    """Close the open pathway with its outcome; the exit cannot be before the entry."""
    errors = {}
    if reason not in EXIT_REASONS:
        errors["reason"] = _l("This value is not one of the allowed choices.")
    if solution not in EXIT_SOLUTIONS:
        errors["solution"] = _l("This value is not one of the allowed choices.")
    if employment not in EXIT_EMPLOYMENT:
        errors["employment"] = _l("This value is not one of the allowed choices.")
    if exit_date is None:
        errors["exit_date"] = _l("This field is required.")
    if errors:
        raise ValidationFailed(details=errors)
    pathway = open_pathway_of(beneficiary)
    if exit_date < pathway.opened_on:
        raise ValidationFailed(details={"exit_date": _l(
            "The exit cannot be before the entry (%(date)s).",
            date=local_date(pathway.opened_on))})
    if exit_date > local_today():
        raise ValidationFailed(details={"exit_date": _l("This date cannot be in the future.")})
    pathway.status = "exited"
    pathway.exit_date = exit_date
    pathway.exit_reason = reason
    pathway.exit_solution = solution
    pathway.exit_employment = employment
    pathway.exit_notes = (notes or "").strip() or None
    record_audit(actor, "update", object_type="Pathway", object_id=pathway.id,
                 fields=["status", "exit_date", "exit_reason", "exit_solution",
                         "exit_employment", "exit_notes"])
    signals.pathway_exited.send(pathway, actor=actor, beneficiary=beneficiary)
    db.session.commit()
    return pathway


def reopen_pathway(actor, beneficiary: Beneficiary) -> Pathway:
    """Open a new pathway for a person who exited (a new referral or a return)."""
    if beneficiary.open_pathway is not None:
        raise Conflict(_l("This person already has a pathway in progress."),
                       code="pathway_open")
    pathway = new_pathway(actor, beneficiary, local_today())
    db.session.flush()
    record_audit(actor, "create", object_type="Pathway", object_id=pathway.id,
                 fields=["opened_on"])
    db.session.commit()
    return pathway


def timeline(beneficiary: Beneficiary) -> list[dict[str, Any]]:
    """Everything that happened in the file, newest first (for advisors)."""
    events: list[dict[str, Any]] = []
    for referral in db.session.scalars(select(Referral).where(
            Referral.beneficiary_id == beneficiary.id)):
        events.append({"on": referral.created_at.date(), "kind": "referral",
                       "title": _l("Referral from %(org)s", org=referral.organisation.name),
                       "text": str(REFERRAL_REASONS.get(referral.reason, "")),
                       "referral": referral})
    for pathway in beneficiary.pathways:
        events.append({"on": pathway.opened_on, "kind": "pathway",
                       "title": _l("Pathway opened"), "text": ""})
        for a in pathway.assessments:
            events.append({"on": a.assessed_on, "kind": "assessment",
                           "title": _l("Entry assessment") if a.kind == "entry"
                           else _l("Exit assessment"),
                           "text": _l("Mobility potential: %(value)s/100",
                                      value=a.mobility_potential), "assessment": a})
        for action in pathway.actions:
            events.append({"on": action.done_on, "kind": "action",
                           "title": ACTION_KINDS.get(action.kind, action.kind),
                           "text": " · ".join(filter(None, [
                               action.title, action.partner_organisation.name
                               if action.partner_organisation else None, action.notes]))})
        for f in pathway.feedback:
            events.append({"on": f.sent_at.date(), "kind": "feedback",
                           "title": _l("Feedback sent to the referent"), "text": f.summary})
        if pathway.exit_date:
            events.append({"on": pathway.exit_date, "kind": "exit", "title": _l("Exit"),
                           "text": " · ".join([str(EXIT_SOLUTIONS.get(pathway.exit_solution, "")),
                                               str(EXIT_EMPLOYMENT.get(pathway.exit_employment,
                                                                       ""))])})
    for note in db.session.scalars(select(CaseNote).where(
            CaseNote.beneficiary_id == beneficiary.id)):
        events.append({"on": note.noted_on, "kind": "note",
                       "title": NOTE_KINDS.get(note.kind, note.kind), "text": note.text,
                       "author": note.author.full_name if note.author else None})
    order = {"exit": 0, "feedback": 1, "note": 2, "action": 3, "assessment": 4, "pathway": 5,
             "referral": 6}
    events.sort(key=lambda e: (e["on"], -order[e["kind"]]), reverse=True)
    return events


