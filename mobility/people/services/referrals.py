"""Referrals: a prescriber refers a person; an advisor accepts (a file and a pathway) or
declines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mobility.audit.services import record_audit
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db, write_transaction
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.roles import PRESCRIBER
from mobility.core.translations import lazy_gettext as _l
from mobility.organisations.models import Referent
from mobility.organisations.services import organisation_in_platform
from mobility.pagination import PAGE_SIZE, Page, paginate
from mobility.people import signals
from mobility.people.models import REFERRAL_REASONS, Beneficiary, Referral
from mobility.people.services.common import iso, new_pathway
from mobility.people.services.files import (
    check_person,
    clean_values,
    duplicate_conflict,
    find_duplicates,
    locate,
)
from mobility.platforms.phones import default_region

REFERRAL_FIELDS = (
    "organisation_id", "referent_id", "first_name", "last_name", "birth_date", "gender",
    "phone", "email", "address", "reason", "employer", "workplace_address", "schedule",
    "shift_start", "shift_end", "night_shifts", "early_shifts", "contract_type",
    "contract_start", "contract_end", "obstacles", "comment", "consent",
)


def submit_referral(actor, values: Mapping[str, Any]) -> Referral:
    """A prescriber (for their organisation) or an advisor (for any partner) refers a person."""
    values = clean_values({k: v for k, v in values.items() if k in REFERRAL_FIELDS},
                    default_region(actor.platform_id))
    if actor.role == PRESCRIBER:
        values["organisation_id"] = actor.organisation_id
    errors = check_person({**values, "first_name": values.get("first_name"),
                           "last_name": values.get("last_name")})
    if values.get("reason") not in REFERRAL_REASONS:
        errors["reason"] = _l("Choose a reason.")
    if values.get("consent") is not True:
        errors["consent"] = _l("The person must agree to share their data with the platform.")
    if errors:
        raise ValidationFailed(details=errors)
    organisation = organisation_in_platform(actor, values.get("organisation_id"))
    referent_id = values.get("referent_id")
    if referent_id is None and actor.role == PRESCRIBER:
        referent_id = db.session.scalar(select(Referent.id).where(Referent.user_id == actor.id))
    if referent_id is not None:
        referent = db.session.get(Referent, referent_id)
        if referent is None or referent.organisation_id != organisation.id:
            raise ValidationFailed(details={"referent_id": _l("Unknown referent.")})
    values["referent_id"] = referent_id
    referral = Referral(platform_id=actor.platform_id, submitted_by_id=actor.id,
                        status="submitted", consent_at=utcnow(), **values)
    db.session.add(referral)
    db.session.flush()
    record_audit(actor, "create", object_type="Referral", object_id=referral.id,
                 fields=[k for k, v in values.items() if v is not None])
    signals.referral_created.send(referral)
    db.session.commit()
    return referral


_EMPLOYMENT_OF_REASON = {"job_found": "job", "training": "training",
                         "interview": "job_search", "job_search": "job_search"}


def _already_decided(referral: Referral) -> Conflict:
    message = (_l("This referral was already accepted.") if referral.status == "accepted"
               else _l("This referral was already declined."))
    return Conflict(message, code="referral_already_decided", details={"status": referral.status})


def _link_file(actor, referral: Referral, beneficiary_id: int) -> Beneficiary:
    """The existing file an accepted referral joins (its referent and obstacles added)."""
    beneficiary = db.session.get(Beneficiary, beneficiary_id)
    if beneficiary is None or beneficiary.platform_id != actor.platform_id:
        raise ValidationFailed(details={"beneficiary_id": _l("Unknown beneficiary.")})
    if beneficiary.referent_id is None:
        beneficiary.referent_id = referral.referent_id
    beneficiary.obstacles = sorted(set(beneficiary.obstacles or [])
                                   | set(referral.obstacles or [])) or None
    return beneficiary


def _file_from_referral(actor, referral: Referral) -> Beneficiary:
    """A new file from what the prescriber wrote; a same-name-and-birth-date file is a 409."""
    duplicates = find_duplicates(actor.platform_id, referral.first_name,
                                 referral.last_name, referral.birth_date)
    if duplicates:
        raise duplicate_conflict(duplicates)
    employment_kind = _EMPLOYMENT_OF_REASON.get(referral.reason)
    shift_notes = ", ".join(filter(None, [
        referral.schedule,
        str(_l("night shifts")) if referral.night_shifts else None,
        str(_l("early shifts")) if referral.early_shifts else None,
    ])) or None
    beneficiary = Beneficiary(
        platform_id=actor.platform_id, first_name=referral.first_name,
        last_name=referral.last_name, birth_date=referral.birth_date,
        gender=referral.gender, phone=referral.phone, email=referral.email,
        address=referral.address, referent_id=referral.referent_id,
        obstacles=referral.obstacles, employment_kind=employment_kind,
        employer=referral.employer, workplace_address=referral.workplace_address,
        contract_type=referral.contract_type, contract_start=referral.contract_start,
        contract_end=referral.contract_end, shift_start=referral.shift_start,
        shift_end=referral.shift_end,
        shift_notes=shift_notes[:200] if shift_notes else None,
        receives_rsa=False, lives_in_qpv=False,
    )
    locate(beneficiary, {"address", "workplace_address"})
    db.session.add(beneficiary)
    return beneficiary


def accept_referral(actor, referral: Referral, *, beneficiary_id: int | None = None) -> Referral:
    """Accept a referral: create (or link) the beneficiary and open (or join) their pathway.

    Without `beneficiary_id`, a person with the same name and birth date is a 409 that lists
    the existing files, so the advisor links the referral to one of them.
    """
    with write_transaction():
        referral = db.session.execute(
            select(Referral).where(Referral.id == referral.id).with_for_update()
        ).scalar_one()
        if referral.status != "submitted":
            raise _already_decided(referral)
        if beneficiary_id is not None:
            beneficiary = _link_file(actor, referral, beneficiary_id)
        else:
            beneficiary = _file_from_referral(actor, referral)
        pathway = beneficiary.open_pathway or new_pathway(actor, beneficiary, local_today())
        referral.status = "accepted"
        referral.decided_at = utcnow()
        referral.decided_by_id = actor.id
        referral.beneficiary = beneficiary
        referral.pathway = pathway
        db.session.flush()
        if beneficiary_id is None:
            record_audit(actor, "create", object_type="Beneficiary", object_id=beneficiary.id,
                         fields=["from_referral"])
        record_audit(actor, "update", object_type="Referral", object_id=referral.id,
                     fields=["status", "beneficiary_id", "pathway_id"])
        signals.referral_decided.send(referral)
    return referral


def decline_referral(actor, referral: Referral, *, reason: str) -> Referral:
    """Decline a referral with a reason the prescriber will see."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(details={"reason": _l("Give the reason, the prescriber sees it.")})
    with write_transaction():
        referral = db.session.execute(
            select(Referral).where(Referral.id == referral.id).with_for_update()
        ).scalar_one()
        if referral.status != "submitted":
            raise _already_decided(referral)
        referral.status = "declined"
        referral.decline_reason = reason
        referral.decided_at = utcnow()
        referral.decided_by_id = actor.id
        record_audit(actor, "update", object_type="Referral", object_id=referral.id,
                     fields=["status", "decline_reason"])
        signals.referral_decided.send(referral)
    return referral


def referral_json(referral: Referral, user) -> dict[str, Any]:
    """A referral as the prescriber wrote it, with its status, decline reason and feedback."""
    data = {
        "id": referral.id, "organisation_id": referral.organisation_id,
        "organisation": referral.organisation.name, "referent_id": referral.referent_id,
        "first_name": referral.first_name, "last_name": referral.last_name,
        "birth_date": iso(referral.birth_date), "gender": referral.gender,
        "phone": referral.phone, "email": referral.email, "address": referral.address,
        "reason": referral.reason, "employer": referral.employer,
        "workplace_address": referral.workplace_address, "schedule": referral.schedule,
        "shift_start": referral.shift_start.strftime("%H:%M") if referral.shift_start else None,
        "shift_end": referral.shift_end.strftime("%H:%M") if referral.shift_end else None,
        "night_shifts": referral.night_shifts, "early_shifts": referral.early_shifts,
        "contract_type": referral.contract_type,
        "contract_start": iso(referral.contract_start),
        "contract_end": iso(referral.contract_end), "obstacles": referral.obstacles or [],
        "comment": referral.comment, "consent": referral.consent,
        "status": referral.status, "decline_reason": referral.decline_reason,
        "decided_at": iso(referral.decided_at), "created_at": iso(referral.created_at),
        "feedback": [{"id": f.id, "summary": f.summary, "sent_at": iso(f.sent_at),
                      "author": f.author.full_name if f.author else None}
                     for f in referral.feedback_items()],
    }
    if user.role != PRESCRIBER:
        data["beneficiary_id"] = referral.beneficiary_id
        data["pathway_id"] = referral.pathway_id
    return data


def referrals_query(user, *, status: str | None = None):
    """The select of referrals the user may see: the platform's (staff) or their
    organisation's (a prescriber), with their organisation loaded."""
    query = select(Referral).where(Referral.platform_id == user.platform_id)
    if user.role == PRESCRIBER:
        query = query.where(Referral.organisation_id == user.organisation_id)
    if status:
        query = query.where(Referral.status == status)
    return query.options(joinedload(Referral.organisation))


def referral_page(user, *, status: str | None = None, cursor: str | None = None,
                  limit: int = PAGE_SIZE) -> Page:
    """One page of the referrals the user may see, newest first."""
    return paginate(referrals_query(user, status=status), (Referral.created_at, Referral.id),
                    cursor=cursor, limit=limit, descending=True)


def referrals_for(user, *, status: str | None = None) -> list[Referral]:
    """Referrals the user may see: the platform's (staff) or their organisation's."""
    return list(db.session.scalars(referrals_query(user, status=status)
                                   .order_by(Referral.created_at.desc(), Referral.id.desc())))
