"""The right-of-access export as a readable PDF: one section per kind of record."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from fpdf import FPDF

from mobility.privacy.services import SECTIONS
from mobility.reports.exports import latin1


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
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(latin1(_("Personal data held about a person")))
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(width, 8, latin1(_("Personal data held about a person")),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    exported = datetime.fromisoformat(export["exported_at"]).strftime("%d/%m/%Y %H:%M UTC")
    pdf.multi_cell(width, 5, latin1(_(
        "File no. %(id)s, exported on %(when)s. This document lists every record the platform "
        "keeps about the person (right of access, art. 15 GDPR).", id=export["beneficiary_id"],
        when=exported)), new_x="LMARGIN", new_y="NEXT")
    for key, title in SECTIONS.items():
        value = export["data"].get(key)
        rows = value if isinstance(value, list) else ([value] if value else [])
        pdf.ln(3)
        pdf.set_font("helvetica", "B", 12)
        pdf.multi_cell(width, 7, latin1(str(title)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 9)
        if not rows:
            pdf.multi_cell(width, 5, latin1(_("Nothing recorded.")), new_x="LMARGIN",
                           new_y="NEXT")
            continue
        for index, row in enumerate(rows, start=1):
            if len(rows) > 1:
                pdf.set_font("helvetica", "B", 9)
                pdf.multi_cell(width, 5, latin1(f"{title} {index}"), new_x="LMARGIN",
                               new_y="NEXT")
                pdf.set_font("helvetica", "", 9)
            for name, item in row.items():
                pdf.multi_cell(width, 4.6, latin1(f"{_humanise(name)} : {_text(item)}"),
                               new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
