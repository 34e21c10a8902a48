"""Right of access and portability: everything held about a person, section by section, as
JSON, a PDF (`pdf`) or a ZIP with the documents' files; secrets and binary columns left out."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from fleet.models import CarpoolRide, Inspection, MinibusBooking, Rental, SeatBooking
from mobility.audit.services import record_audit
from mobility.auth.models import User
from mobility.checkpoints.models import Checkpoint
from mobility.contracts.models import RentalContract
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.notifications.models import NotificationPreference, OutboxMessage
from mobility.payments.models import Deposit, Payment
from mobility.people.documents import document_files, download_name
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
from mobility.pricing.models import RentalTerms
from mobility.privacy.models import Anonymisation
from mobility.privacy.pdf import person_pdf
from mobility.privacy.services import check_privacy_role

#: columns never exported (secrets, hashes, binary documents)
SECRET_COLUMNS = frozenset({
    "password_hash", "stripe_client_secret", "claim_token", "code_hash", "challenge_hash",
    "document", "token_hash",
})


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
        return person_pdf(data), "application/pdf"
    if fmt == "zip":
        return export_zip(beneficiary, data), "application/zip"
    return data, "application/json"


def export_zip(beneficiary: Beneficiary, data: dict) -> bytes:
    """The JSON export and every document of the file (`documents/<kind>-<id>.<ext>`)."""
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
