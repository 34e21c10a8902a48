"""The documents of a person's file: driving licence, contract of employment (or training, job
promise), proof of address, ID, other. Uploaded like the fleet's photos (one home:
`fleet.services.clean_picture` and `store_upload`): the real type read from the bytes (PDF,
JPEG or PNG), a size cap, EXIF and other metadata stripped from pictures, a random server-side
name under UPLOAD_FOLDER/people, never a public static path. Every upload, download and
deletion is in the audit log (field names only)."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from fleet.services.photos import clean_picture, store_upload
from mobility.audit.services import record_audit
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.core.translations import ngettext
from mobility.people.models import DOCUMENT_KINDS, Beneficiary, PersonDocument
from mobility.web.uploads import upload_settings

#: size cap of one document, unless `MAX_DOCUMENT_BYTES` says otherwise
DEFAULT_MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
#: the file list warns this many days before an expiry
EXPIRY_WARNING_DAYS = 30
#: PDF features that run something when the file is opened: refused
PDF_ACTIVE_CONTENT = (b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/RichMedia")
NOT_A_DOCUMENT = _l("This file is not a PDF, JPEG or PNG document.")


def document_settings() -> tuple[Path, int]:
    """Where documents go (UPLOAD_FOLDER/people) and their size cap (`MAX_DOCUMENT_BYTES`)."""
    folder, _photo_cap = upload_settings()
    cap = int(current_app.config.get("MAX_DOCUMENT_BYTES") or DEFAULT_MAX_DOCUMENT_BYTES)
    return Path(folder) / "people", cap


def documents_of(person: Beneficiary) -> list[PersonDocument]:
    """The person's documents, by kind (in `DOCUMENT_KINDS` order) then the newest first."""
    order = list(DOCUMENT_KINDS)
    rows = db.session.scalars(select(PersonDocument).where(
        PersonDocument.beneficiary_id == person.id,
        PersonDocument.platform_id == person.platform_id)
        .order_by(PersonDocument.issued_on.desc(), PersonDocument.id.desc())).all()
    return sorted(rows, key=lambda d: order.index(d.kind) if d.kind in order else len(order))


def expiry_text(document: PersonDocument, today: date | None = None) -> str | None:
    """"expired", "expires today" or "expires in N days" (None when it does not expire)."""
    days = document.days_left(today or local_today())
    if days is None:
        return None
    if days < 0:
        return str(_l("expired"))
    if days == 0:
        return str(_l("expires today"))
    return ngettext("expires in %(num)d day", "expires in %(num)d days", days)


def expires_soon(document: PersonDocument, today: date | None = None) -> bool:
    """Expired, or expiring within `EXPIRY_WARNING_DAYS`."""
    days = document.days_left(today or local_today())
    return days is not None and days <= EXPIRY_WARNING_DAYS


def _clean_pdf(data: bytes) -> bytes:
    """A PDF checked from its bytes: the header, the end marker, and no active content."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise ValidationFailed(details={"file": NOT_A_DOCUMENT})
    if any(marker in data for marker in PDF_ACTIVE_CONTENT):
        raise ValidationFailed(details={"file": _l(
            "This PDF contains scripts or attachments: print it to PDF again or scan it.")})
    return data


def clean_document(data: bytes, *, max_bytes: int) -> tuple[bytes, str, str]:
    """The checked bytes, extension and content type of an uploaded document."""
    if not data:
        raise ValidationFailed(details={"file": _l("Choose a file to send.")})
    if len(data) > max_bytes:
        raise ValidationFailed(details={"file": _l(
            "The file is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024))})
    if data.startswith(b"%PDF-"):
        return _clean_pdf(data), "pdf", "application/pdf"
    picture = clean_picture(data, max_bytes=max_bytes, field="file", formats=("JPEG", "PNG"),
                            refusal=NOT_A_DOCUMENT)
    return picture.data, picture.extension, picture.content_type


def check_document_fields(*, kind: str | None, title: str | None, issued_on: date | None,
                          expires_on: date | None, today: date | None = None) -> dict:
    """The per-field refusals of a document's description (empty when it is valid)."""
    today = today or local_today()
    errors = {}
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = _l("Choose the kind of document.")
    if kind == "other" and not (title or "").strip():
        errors["title"] = _l("Say what the document is.")
    if issued_on is None:
        errors["issued_on"] = _l("Give the date the document was issued.")
    elif issued_on > today:
        errors["issued_on"] = _l("The issue date cannot be in the future.")
    if expires_on is not None and issued_on is not None and expires_on < issued_on:
        errors["expires_on"] = _l("The expiry date cannot be before the issue date.")
    return errors


def add_document(actor, person: Beneficiary, *, kind: str | None, title: str | None,
                 issued_on: date | None, expires_on: date | None, data: bytes,
                 folder: Path | None = None, max_bytes: int | None = None,
                 today: date | None = None) -> PersonDocument:
    """Check and store a document on the person's file; nothing is kept when it is refused."""
    default_folder, default_cap = document_settings()
    folder, max_bytes = folder or default_folder, max_bytes or default_cap
    errors = check_document_fields(kind=kind, title=title, issued_on=issued_on,
                                   expires_on=expires_on, today=today)
    try:
        content, extension, content_type = clean_document(data, max_bytes=max_bytes)
    except ValidationFailed as error:
        errors.update(error.details)
    if errors:
        raise ValidationFailed(details=errors)
    name = store_upload(folder, content, extension)
    document = PersonDocument(
        platform_id=person.platform_id, beneficiary_id=person.id, kind=kind,
        title=" ".join((title or "").split())[:120] or None, issued_on=issued_on,
        expires_on=expires_on, stored_name=name, content_type=content_type,
        size_bytes=len(content), uploaded_by_id=getattr(actor, "id", None))
    try:
        db.session.add(document)
        db.session.flush()
        record_audit(actor, "create", object_type="PersonDocument", object_id=document.id,
                     platform_id=person.platform_id,
                     fields=["kind", "title", "issued_on", "expires_on", "file"])
        db.session.commit()
    except Exception:
        db.session.rollback()
        (Path(folder) / name).unlink(missing_ok=True)
        raise
    return document


def document_path(document: PersonDocument, folder: Path | None = None) -> Path:
    """Where a stored document lives on disk."""
    return Path(folder or document_settings()[0]) / document.stored_name


def download_name(document: PersonDocument) -> str:
    """The name a download is saved under: the kind and the id, never a personal name."""
    return f"{document.kind.replace('_', '-')}-{document.id}.{document.extension}"


def delete_document(actor, document: PersonDocument, folder: Path | None = None) -> None:
    """Remove a document from the file and from the disk (audited)."""
    path = document_path(document, folder)
    record_audit(actor, "delete", object_type="PersonDocument", object_id=document.id,
                 platform_id=document.platform_id, fields=["kind", "file"])
    db.session.delete(document)
    db.session.commit()
    # the row is gone first: a file left behind by a crash is never listed nor served
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def document_files(beneficiary_id: int, folder: Path | None = None) -> list[tuple[
        PersonDocument, Path]]:
    """Every document of the person with its path (export, anonymisation)."""
    folder = folder or document_settings()[0]
    return [(d, Path(folder) / d.stored_name) for d in db.session.scalars(
        select(PersonDocument).where(PersonDocument.beneficiary_id == beneficiary_id)
        .order_by(PersonDocument.id))]
