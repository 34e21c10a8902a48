"""The right-of-access export as a readable PDF: one section per kind of record."""

from __future__ import annotations

from datetime import datetime

from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import local_datetime
from mobility.pdf import Document

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


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _text(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict | list):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) \
            else ", ".join(str(v) for v in value)
    return str(value)


def person_pdf(export: dict) -> bytes:
    """Every section of `person_data(...)` as key/value lines."""
    title = _("Personal data held about a person")
    pdf = Document(title)
    exported = local_datetime(datetime.fromisoformat(export["exported_at"]), "short")
    pdf.title_block(title, _(
        "File no. %(id)s, exported on %(when)s. This document lists every record the platform "
        "keeps about the person (right of access, art. 15 GDPR).", id=export["beneficiary_id"],
        when=exported))
    for key, section in SECTIONS.items():
        value = export["data"].get(key)
        rows = value if isinstance(value, list) else ([value] if value else [])
        pdf.heading(str(section))
        if not rows:
            pdf.paragraph(_("Nothing recorded."), size=9)
            continue
        for index, row in enumerate(rows, start=1):
            if len(rows) > 1:
                pdf.paragraph(f"{section} {index}", size=9, style="B")
            for name, item in row.items():
                pdf.paragraph(f"{_humanise(name)} : {_text(item)}", size=9)
    return pdf.output_bytes()
