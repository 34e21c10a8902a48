"""Personal data services: anonymise a file (on request or after `RETENTION_INACTIVE_DAYS`
without contact), purge the access log after `AUDIT_RETENTION_DAYS`, and who may do so (the
export of everything held about a person is in `export`).

Anonymisation removes identity, contact, address and free text, and keeps what statistics and
accounting need (gender, birth year, QPV/RSA flags, pathway dates and outcomes, assessments'
scores, rentals' dates, payments and deposits' amounts). Signed contracts are kept whole until
`CONTRACT_RETENTION_YEARS` after the rental's end (proof of the agreement), then emptied.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from fleet.models import CarpoolRide, MinibusBooking, Rental, SeatBooking
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
from mobility.core.translations import lazy_gettext as _l
from mobility.core.translations import ngettext
from mobility.notifications.models import NotificationPreference, OutboxMessage
from mobility.payments.models import Deposit, Payment
from mobility.people.documents import document_files
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
from mobility.privacy.models import Anonymisation

#: who may export or anonymise a person's file
PRIVACY_ROLES = frozenset({ADMIN, ADVISOR})
AUDIT_RETENTION_RANGE = (180, 365)
DEFAULT_AUDIT_RETENTION_DAYS = 365
DEFAULT_RETENTION_INACTIVE_DAYS = 730
INACTIVE_RANGE = (365, 3650)
CONTRACT_RETENTION_YEARS = 5
ANONYMOUS_FIRST_NAME = "ANONYME"


class ConfigurationError(ValueError):
    """A retention setting outside its allowed range."""


def _setting(name: str, default: int) -> int:
    """`name` from the app's config (`mobility.config` reads the environment), else `default`."""
    value = current_app.config.get(name) if has_app_context() else None
    if value in (None, ""):
        value = default
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


def check_privacy_role(user) -> None:
    """Only advisors and admins export or anonymise files."""
    if user.role not in PRIVACY_ROLES:
        raise Forbidden(_l("Only advisors and admins may export or anonymise a person's file."))


# -- the access log -------------------------------------------------------------------------

def purge_audit_log(now: datetime | None = None) -> int:
    """Delete access-log entries older than `AUDIT_RETENTION_DAYS`; returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=audit_retention_days())
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    db.session.commit()
    return result.rowcount or 0


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

