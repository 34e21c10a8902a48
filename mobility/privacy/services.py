"""Personal data services: export everything held about a person (JSON, PDF), anonymise a file
(on request or after `RETENTION_INACTIVE_DAYS` without contact), purge the access log after
`AUDIT_RETENTION_DAYS`.

Anonymisation removes identity, contact, address and free text, and keeps what statistics and
accounting need (gender, birth year, QPV/RSA flags, pathway dates and outcomes, assessments'
scores, rentals' dates, payments and deposits' amounts). Signed contracts are kept whole until
`CONTRACT_RETENTION_YEARS` after the rental's end (proof of the agreement), then emptied.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from fleet.models import (
    CarpoolRide,
    Inspection,
    MinibusBooking,
    Rental,
    SeatBooking,
)
from mobility.audit.models import AuditEvent
from mobility.audit.services import record_audit
from mobility.auth.models import User
from mobility.auth.services import end_sessions_and_tokens
from mobility.checkpoints.models import Checkpoint
from mobility.contracts.models import RentalContract
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import Conflict, Forbidden
from mobility.core.roles import ADMIN, ADVISOR
from mobility.notifications.models import NotificationPreference, OutboxMessage
from mobility.payments.models import Deposit, Payment
from mobility.people.models import (
    Beneficiary,
    CaseNote,
    EligibilityOverride,
    MobilityAssessment,
    Pathway,
    PathwayAction,
    PersonDocument,
    ReferentFeedback,
    Referral,
    WorkshopAttendance,
)
from mobility.portal.models import OneTimeCode, SignInLink
from mobility.pricing.models import RentalTerms
from mobility.privacy.models import Anonymisation

#: who may export or anonymise a person's file
PRIVACY_ROLES = frozenset({ADMIN, ADVISOR})
AUDIT_RETENTION_RANGE = (180, 365)
DEFAULT_AUDIT_RETENTION_DAYS = 365
DEFAULT_RETENTION_INACTIVE_DAYS = 730
INACTIVE_RANGE = (365, 3650)
CONTRACT_RETENTION_YEARS = 5
ANONYMOUS_FIRST_NAME = "ANONYME"
#: columns never exported (secrets, hashes, binary documents)
SECRET_COLUMNS = frozenset({
    "password_hash", "stripe_client_secret", "claim_token", "code_hash", "challenge_hash",
    "document", "token_hash",
})


class ConfigurationError(ValueError):
    """A retention setting outside its allowed range."""


def _setting(name: str, default: int) -> int:
    value = current_app.config.get(name) if has_app_context() else None
    if value in (None, ""):
        value = os.environ.get(name) or default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a whole number of days, not {value!r}") from None


def audit_retention_days() -> int:
    """`AUDIT_RETENTION_DAYS` (access log kept 6 to 12 months): 180..365, default 365."""
    days = _setting("AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS)
    low, high = AUDIT_RETENTION_RANGE
    if not low <= days <= high:
        raise ConfigurationError(
            f"AUDIT_RETENTION_DAYS must be between {low} and {high} days (6 to 12 months), "
            f"not {days}")
    return days


def retention_inactive_days() -> int:
    """`RETENTION_INACTIVE_DAYS` (files without contact anonymised after): default 730."""
    days = _setting("RETENTION_INACTIVE_DAYS", DEFAULT_RETENTION_INACTIVE_DAYS)
    low, high = INACTIVE_RANGE
    if not low <= days <= high:
        raise ConfigurationError(
            f"RETENTION_INACTIVE_DAYS must be between {low} and {high} days, not {days}")
    return days


def check_settings() -> None:
    """Refuse to start with a retention setting out of range (called when the app starts)."""
    audit_retention_days()
    retention_inactive_days()


# -- the access log -------------------------------------------------------------------------

def purge_audit_log(now: datetime | None = None) -> int:
    """Delete access-log entries older than `AUDIT_RETENTION_DAYS`; returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=audit_retention_days())
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    db.session.commit()
    return result.rowcount or 0


# -- right of access and portability --------------------------------------------------------

def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # time
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _row(obj) -> dict:
    return {column.key: _value(getattr(obj, column.key))
            for column in obj.__table__.columns if column.key not in SECRET_COLUMNS}


def _rows(statement) -> list[dict]:
    return [_row(obj) for obj in db.session.scalars(statement)]


#: the sections of the export, in reading order, with their titles
SECTIONS = {
    "beneficiary": _l("Identity, contact and situation"),
    "account": _l("Sign-in account"),
    "referrals": _l("Referrals"),
    "pathways": _l("Pathways"),
    "actions": _l("Actions"),
    "assessments": _l("Mobility assessments"),
    "case_notes": _l("Advisor's notes"),
    "referent_feedback": _l("Feedback sent to referents"),
    "eligibility_overrides": _l("Eligibility decisions"),
    "workshop_attendances": _l("Workshops"),
    "documents": _l("Documents of the file"),
    "rentals": _l("Rentals"),
    "rental_terms": _l("Price terms"),
    "inspections": _l("Vehicle inspections"),
    "checkpoints": _l("Checkpoints"),
    "payments": _l("Payments"),
    "deposits": _l("Deposits"),
    "contracts": _l("Contracts"),
    "carpool_seats": _l("Carpool seats"),
    "minibus_seats": _l("Minibus seats"),
    "carpool_rides_as_driver": _l("Carpool rides offered"),
    "notification_preferences": _l("Notification preferences"),
    "messages": _l("Messages sent"),
    "anonymisation": _l("Anonymisation"),
}


def person_data(beneficiary: Beneficiary) -> dict:
    """Everything held about a person, section by section (secrets and documents left out)."""
    b_id = beneficiary.id
    pathway_ids = select(Pathway.id).where(Pathway.beneficiary_id == b_id)
    rental_ids = select(Rental.id).where(Rental.beneficiary_id == b_id)
    user = db.session.get(User, beneficiary.user_id) if beneficiary.user_id else None
    data = {
        "beneficiary": _row(beneficiary),
        "account": None if user is None else {
            k: v for k, v in _row(user).items()
            if k in ("id", "email", "full_name", "role", "locale", "active", "created_at",
                     "last_login_at")},
        "referrals": _rows(select(Referral).where(Referral.beneficiary_id == b_id)
                           .order_by(Referral.id)),
        "pathways": _rows(select(Pathway).where(Pathway.beneficiary_id == b_id)
                          .order_by(Pathway.id)),
        "actions": _rows(select(PathwayAction).where(PathwayAction.pathway_id.in_(pathway_ids))
                         .order_by(PathwayAction.id)),
        "assessments": _rows(select(MobilityAssessment)
                             .where(MobilityAssessment.beneficiary_id == b_id)
                             .order_by(MobilityAssessment.id)),
        "case_notes": _rows(select(CaseNote).where(CaseNote.beneficiary_id == b_id)
                            .order_by(CaseNote.id)),
        "referent_feedback": _rows(select(ReferentFeedback)
                                   .where(ReferentFeedback.pathway_id.in_(pathway_ids))
                                   .order_by(ReferentFeedback.id)),
        "eligibility_overrides": _rows(select(EligibilityOverride)
                                       .where(EligibilityOverride.beneficiary_id == b_id)
                                       .order_by(EligibilityOverride.id)),
        "workshop_attendances": _rows(select(WorkshopAttendance)
                                      .where(WorkshopAttendance.beneficiary_id == b_id)
                                      .order_by(WorkshopAttendance.id)),
        "documents": _rows(select(PersonDocument)
                           .where(PersonDocument.beneficiary_id == b_id)
                           .order_by(PersonDocument.id)),
        "rentals": _rows(select(Rental).where(Rental.beneficiary_id == b_id)
                         .order_by(Rental.id)),
        "rental_terms": _rows(select(RentalTerms).where(RentalTerms.rental_id.in_(rental_ids))
                              .order_by(RentalTerms.id)),
        "inspections": _rows(select(Inspection).where(Inspection.rental_id.in_(rental_ids))
                             .order_by(Inspection.id)),
        "checkpoints": _rows(select(Checkpoint).where(Checkpoint.rental_id.in_(rental_ids))
                             .order_by(Checkpoint.id)),
        "payments": _rows(select(Payment).where(Payment.rental_id.in_(rental_ids))
                          .order_by(Payment.id)),
        "deposits": _rows(select(Deposit).where(Deposit.rental_id.in_(rental_ids))
                          .order_by(Deposit.id)),
        "contracts": _rows(select(RentalContract).where(RentalContract.rental_id.in_(rental_ids))
                           .order_by(RentalContract.id)),
        "carpool_seats": _rows(select(SeatBooking).where(SeatBooking.beneficiary_id == b_id)
                               .order_by(SeatBooking.id)),
        "minibus_seats": _rows(select(MinibusBooking)
                               .where(MinibusBooking.beneficiary_id == b_id)
                               .order_by(MinibusBooking.id)),
        "carpool_rides_as_driver": _rows(select(CarpoolRide)
                                         .where(CarpoolRide.driver_beneficiary_id == b_id)
                                         .order_by(CarpoolRide.id)),
        "notification_preferences": _rows(select(NotificationPreference)
                                          .where(NotificationPreference.beneficiary_id == b_id)),
        "messages": _rows(select(OutboxMessage).where(
            OutboxMessage.recipient_type == "beneficiary", OutboxMessage.recipient_id == b_id)
            .order_by(OutboxMessage.id)),
        "anonymisation": _rows(select(Anonymisation)
                               .where(Anonymisation.beneficiary_id == b_id)),
    }
    return {"exported_at": utcnow().isoformat(timespec="seconds"),
            "platform_id": beneficiary.platform_id, "beneficiary_id": b_id, "data": data}


def check_privacy_role(user) -> None:
    """Only advisors and admins export or anonymise files."""
    if user.role not in PRIVACY_ROLES:
        raise Forbidden(_l("Only advisors and admins may export or anonymise a person's file."))


def export_person(actor, beneficiary: Beneficiary, fmt: str) -> tuple[bytes | dict, str]:
    """The person's data as a dict (json), PDF bytes, or a ZIP of the JSON with the documents'
    files (zip); the export is logged (no values)."""
    check_privacy_role(actor)
    data = person_data(beneficiary)
    record_audit(actor, "export", object_type="Beneficiary", object_id=beneficiary.id,
                 platform_id=beneficiary.platform_id,
                 fields=[fmt] + sorted(k for k, v in data["data"].items() if v))
    db.session.commit()
    if fmt == "pdf":
        from mobility.privacy.pdf import person_pdf

        return person_pdf(data), "application/pdf"
    if fmt == "zip":
        return export_zip(beneficiary, data), "application/zip"
    return data, "application/json"


def export_zip(beneficiary: Beneficiary, data: dict) -> bytes:
    """The JSON export and every document of the file (`documents/<kind>-<id>.<ext>`)."""
    import io
    import zipfile

    from mobility.people.documents import document_files, download_name

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(export_filename(beneficiary.id, "json"), json_bytes(data))
        for document, path in document_files(beneficiary.id):
            if path.is_file():
                archive.write(path, f"documents/{download_name(document)}")
    return out.getvalue()


def export_filename(beneficiary_id: int, fmt: str) -> str:
    return f"donnees-beneficiaire-{beneficiary_id}.{fmt}"


def json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


# -- anonymisation ----------------------------------------------------------------------------

def is_anonymised(beneficiary_id: int) -> bool:
    return db.session.scalar(
        select(Anonymisation.id).where(Anonymisation.beneficiary_id == beneficiary_id)) is not None


def _already() -> Conflict:
    return Conflict(_l("This file is already anonymised."), code="already_anonymised")


def _open_rental_exists(beneficiary_id: int) -> bool:
    return db.session.scalar(select(Rental.id).where(
        Rental.beneficiary_id == beneficiary_id,
        Rental.status.in_(("booked", "in_progress"))).limit(1)) is not None


def anonymise(actor, beneficiary: Beneficiary, *, reason: str = "request",
              now: datetime | None = None) -> Anonymisation:
    """Remove the person's identity, contact, address and free text; keep statistics and
    accounting. Refused (409, nothing changed) when already done, or on request while a rental
    or the pathway is still open."""
    now = now or utcnow()
    if actor is not None:
        check_privacy_role(actor)
    if is_anonymised(beneficiary.id):
        raise _already()
    if reason == "request":
        if _open_rental_exists(beneficiary.id):
            raise Conflict(_l("A rental of this person is booked or in progress: close or "
                              "cancel it before anonymising the file."), code="rental_open")
        if beneficiary.open_pathway is not None:
            raise Conflict(_l("The pathway is still open: record the exit before anonymising "
                              "the file."), code="pathway_open")
    from mobility.people.documents import document_files

    files = [path for _document, path in document_files(beneficiary.id)]
    fields = _scrub(beneficiary)
    record = Anonymisation(platform_id=beneficiary.platform_id, beneficiary_id=beneficiary.id,
                           reason=reason, actor_id=getattr(actor, "id", None),
                           anonymised_at=now)
    db.session.add(record)
    record_audit(actor, "anonymise", object_type="Beneficiary", object_id=beneficiary.id,
                 platform_id=beneficiary.platform_id, fields=fields)
    try:
        db.session.commit()
    except IntegrityError:  # anonymised concurrently
        db.session.rollback()
        raise _already() from None
    # the rows are gone with the commit; the files follow (a crash leaves unlisted files only)
    for path in files:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    return record


def _scrub(b: Beneficiary) -> list[str]:
    """Clear the personal fields of the person's records; returns the field names cleared."""
    b_id = b.id
    pathway_ids = select(Pathway.id).where(Pathway.beneficiary_id == b_id)
    rental_ids = select(Rental.id).where(Rental.beneficiary_id == b_id)
    b.first_name, b.last_name = ANONYMOUS_FIRST_NAME, f"#{b_id}"
    if b.birth_date is not None:
        b.birth_date = date(b.birth_date.year, 1, 1)
    for name in ("phone", "email", "address", "address_lat", "address_lon",
                 "health_constraints", "employer", "workplace_address", "workplace_lat",
                 "workplace_lon", "shift_notes"):
        setattr(b, name, None)
    b.has_disability = False
    if b.user_id is not None:
        user = db.session.get(User, b.user_id)
        b.user_id = None
        db.session.flush()
        if user is not None:
            user.email = f"anonymised-{user.id}@invalid.example"
            user.full_name = ""
            user.password_hash = None
            user.active = False
            # revoked, not only dead while inactive: enabling the account again brings back
            # no session or token of the person
            end_sessions_and_tokens(user.id)
    for referral in db.session.scalars(select(Referral).where(Referral.beneficiary_id == b_id)):
        _scrub_referral(referral, b_id)
    db.session.execute(update(Pathway).where(Pathway.beneficiary_id == b_id)
                       .values(exit_notes=None))
    db.session.execute(update(PathwayAction).where(PathwayAction.pathway_id.in_(pathway_ids))
                       .values(title=None, notes=None))
    db.session.execute(delete(CaseNote).where(CaseNote.beneficiary_id == b_id))
    # documents (licence, ID, proof of address...) are identity through and through: removed
    db.session.execute(delete(PersonDocument).where(PersonDocument.beneficiary_id == b_id))
    db.session.execute(update(ReferentFeedback)
                       .where(ReferentFeedback.pathway_id.in_(pathway_ids)).values(summary=""))
    db.session.execute(update(EligibilityOverride)
                       .where(EligibilityOverride.beneficiary_id == b_id)
                       .values(justification=""))
    db.session.execute(update(MobilityAssessment)
                       .where(MobilityAssessment.beneficiary_id == b_id).values(answers={}))
    db.session.execute(update(Rental).where(Rental.beneficiary_id == b_id).values(notes=None))
    db.session.execute(update(Checkpoint).where(Checkpoint.rental_id.in_(rental_ids))
                       .values(note=None, condition_note=None, exit_solution=None))
    db.session.execute(update(Deposit).where(Deposit.rental_id.in_(rental_ids))
                       .values(damage_note=None))
    db.session.execute(update(CarpoolRide).where(CarpoolRide.driver_beneficiary_id == b_id)
                       .values(driver_name=ANONYMOUS_FIRST_NAME, driver_phone=None))
    db.session.execute(update(NotificationPreference)
                       .where(NotificationPreference.beneficiary_id == b_id).values(phone=None))
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.recipient_type == "beneficiary", OutboxMessage.recipient_id == b_id)
        .values(context={}, to_address=None, last_error=None))
    db.session.execute(delete(OneTimeCode).where(OneTimeCode.beneficiary_id == b_id))
    # a reminder's sign-in link would otherwise still open a (new) account for the file
    db.session.execute(delete(SignInLink).where(SignInLink.beneficiary_id == b_id))
    return ["address", "birth_date", "case_notes", "contact", "documents", "free_text",
            "identity"]


def _scrub_referral(referral: Referral, b_id: int) -> None:
    referral.first_name, referral.last_name = ANONYMOUS_FIRST_NAME, f"#{b_id}"
    if referral.birth_date is not None:
        referral.birth_date = date(referral.birth_date.year, 1, 1)
    for name in ("phone", "email", "address", "employer", "workplace_address", "schedule",
                 "comment", "decline_reason"):
        setattr(referral, name, None)


def inactive_beneficiary_ids(now: datetime | None = None) -> list[int]:
    """People with no contact since `RETENTION_INACTIVE_DAYS`, no rental booked or in
    progress, not anonymised yet: one query of NOT EXISTS on indexed columns."""
    now = now or utcnow()
    cutoff_at = now - timedelta(days=retention_inactive_days())
    cutoff = cutoff_at.astimezone(UTC).date()
    b = Beneficiary
    pathway_of_b = select(Pathway.id).where(Pathway.beneficiary_id == b.id)
    rental_of_b = select(Rental.id).where(Rental.beneficiary_id == b.id)
    recent = [
        exists().where(Anonymisation.beneficiary_id == b.id),
        exists().where(Pathway.beneficiary_id == b.id,
                       or_(Pathway.opened_on >= cutoff, Pathway.exit_date >= cutoff)),
        exists().where(PathwayAction.pathway_id.in_(pathway_of_b),
                       PathwayAction.done_on >= cutoff),
        exists().where(CaseNote.beneficiary_id == b.id, CaseNote.noted_on >= cutoff),
        exists().where(MobilityAssessment.beneficiary_id == b.id,
                       MobilityAssessment.assessed_on >= cutoff),
        exists().where(Referral.beneficiary_id == b.id, Referral.created_at >= cutoff_at),
        exists().where(Rental.beneficiary_id == b.id,
                       or_(Rental.end_date >= cutoff,
                           Rental.status.in_(("booked", "in_progress")))),
        exists().where(Checkpoint.rental_id.in_(rental_of_b), Checkpoint.date >= cutoff),
        exists().where(Payment.rental_id.in_(rental_of_b), Payment.paid_on >= cutoff),
        exists().where(SeatBooking.beneficiary_id == b.id, SeatBooking.ride_date >= cutoff),
        exists().where(MinibusBooking.beneficiary_id == b.id,
                       MinibusBooking.created_at >= cutoff_at),
        exists().where(WorkshopAttendance.beneficiary_id == b.id,
                       WorkshopAttendance.created_at >= cutoff_at),
        # a document added to the file is a contact too
        exists().where(PersonDocument.beneficiary_id == b.id,
                       PersonDocument.uploaded_at >= cutoff_at),
        exists().where(User.id == b.user_id, User.last_login_at >= cutoff_at),
    ]
    return list(db.session.scalars(
        select(b.id).where(b.created_at < cutoff_at,
                           or_(b.updated_at.is_(None), b.updated_at < cutoff_at),
                           *[~condition for condition in recent])
        .order_by(b.id)))


def anonymise_inactive(now: datetime | None = None) -> int:
    """The retention job: anonymise every file without contact for `RETENTION_INACTIVE_DAYS`
    (one transaction per person), then empty the contracts past their retention."""
    now = now or utcnow()
    done = 0
    for b_id in inactive_beneficiary_ids(now):
        beneficiary = db.session.get(Beneficiary, b_id)
        try:
            anonymise(None, beneficiary, reason="inactivity", now=now)
        except Conflict:
            db.session.rollback()
            continue
        done += 1
    purge_expired_contracts(now)
    return done


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February gives 28 February (a shorter wait
    would purge a day early; this purges a day late)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def purge_expired_contracts(now: datetime | None = None) -> int:
    """Empty the documents (accepted and signed copy) and signer's name of contracts of
    anonymised people whose rental ended more than `CONTRACT_RETENTION_YEARS` ago (the hashes
    and dates stay as proof)."""
    now = now or utcnow()
    limit = years_before(now.date(), CONTRACT_RETENTION_YEARS)
    expired = (select(Rental.id).join(Anonymisation,
                                      Anonymisation.beneficiary_id == Rental.beneficiary_id)
               .where(Rental.end_date < limit))
    result = db.session.execute(
        update(RentalContract)
        .where(RentalContract.rental_id.in_(expired),
               or_(RentalContract.signer_name.is_not(None), RentalContract.document != b"",
                   RentalContract.signed_document.is_not(None)))
        # the signed copy names the person too; its hash stays with the accepted one's
        .values(document=b"", signer_name=None, signed_document=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount or 0


def anonymised_ids(beneficiary_ids: list[int]) -> set[int]:
    """Which of these people are anonymised (for lists and the file page)."""
    if not beneficiary_ids:
        return set()
    return set(db.session.scalars(select(Anonymisation.beneficiary_id).where(
        Anonymisation.beneficiary_id.in_(beneficiary_ids))))


def summary_line(count: int) -> str:
    return ngettext("%(num)d file anonymised", "%(num)d files anonymised", count)

