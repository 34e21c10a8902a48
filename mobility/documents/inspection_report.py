"""The état des lieux of a rental as a PDF: the check-out against the check-in, item by item,
odometer, energy level, damage notes and photos, with room for the beneficiary's and the
inspector's signatures, and the beneficiary's sign-off on screen (typed name, ticked box,
witness, time). It is what supports keeping part of a deposit (see `lifecycle.settle`)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import force_locale

from fleet.models import CHECKLIST_LABELS, CHECKLISTS, Rental
from fleet.services.photos import photo_path
from mobility.core.db import db
from mobility.core.errors import Conflict
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.core.translations import ngettext
from mobility.i18n import local_datetime, number
from mobility.pdf import Document, rental_number, short_date
from mobility.platforms.models import Platform
from mobility.pricing import services as pricing
from mobility.rentals.lifecycle.handover import mileage_summary


def _state(value) -> str:
    if value is None:
        return "—"
    return _("Good order") if value else _("Something to note")


def _level(value) -> str:
    return "—" if value is None else f"{number(value)} %"


def _photo_files(inspection) -> list[Path]:
    folder = current_app.config.get("UPLOAD_FOLDER") or f"{current_app.instance_path}/uploads"
    files = [photo_path(photo, folder) for photo in (inspection.photos if inspection else [])]
    return [path for path in files if path.is_file()]


def comparison_rows(rental: Rental) -> list[tuple[str, str, str, str]]:
    """(item, at check-out, at check-in, what changed) for the odometer, the energy level and
    every checklist item of the vehicle's kind (or recorded on either inspection)."""
    out_, in_ = rental.inspection("check_out"), rental.inspection("check_in")
    return [_odometer_row(out_, in_), _energy_row(out_, in_),
            *(_checklist_row(item, out_, in_) for item in _checklist_items(rental, out_, in_))]


def _odometer_row(out_, in_) -> tuple[str, str, str, str]:
    driven = ""
    if out_ and in_:
        driven = _("%(km)s km driven", km=number(in_.odometer_km - out_.odometer_km))
    return (_("Odometer"), f"{number(out_.odometer_km)} km" if out_ else "—",
            f"{number(in_.odometer_km)} km" if in_ else "—", driven)


def _energy_row(out_, in_) -> tuple[str, str, str, str]:
    before = out_.energy_level_pct if out_ else None
    after = in_.energy_level_pct if in_ else None
    change = ""
    if before is not None and after is not None and after != before:
        change = _("%(points)s points", points=number(after - before))
    return (_("Fuel or battery level"), _level(before), _level(after), change)


def _checklist_items(rental: Rental, out_, in_) -> list[str]:
    """The kind's checklist, then any other item recorded on either inspection."""
    items = list(CHECKLISTS.get(rental.vehicle.kind, ()))
    for inspection in (out_, in_):
        recorded = inspection.checklist if inspection else {}
        items += [item for item in recorded if item not in items]
    return items


def _checklist_row(item: str, out_, in_) -> tuple[str, str, str, str]:
    was = out_.checklist.get(item) if out_ else None
    now = in_.checklist.get(item) if in_ else None
    changed = was is not None and now is not None and was != now
    return (str(CHECKLIST_LABELS.get(item, item)), _state(was), _state(now),
            _("Changed") if changed else "")


def signoff_line(inspection) -> str:
    """How the beneficiary signed an inspection off on screen: the typed name, the ticked box,
    when and before whom; "not signed off" otherwise."""
    if inspection is None:
        return _("not yet")
    if not inspection.is_signed_off:
        return _("not signed off")
    witness = inspection.signoff_witness
    return _("“%(name)s” typed, “I have checked the condition report” ticked, on %(when)s, "
             "witnessed by %(who)s", name=inspection.signoff_name,
             when=local_datetime(inspection.signoff_at, "short"),
             who=witness.full_name if witness else "—")


def signoff_rows(out_, in_) -> list[tuple[str, str]]:
    """The sign-off of each inspection, for the report."""
    return [(_("At check-out"), signoff_line(out_)), (_("At check-in"), signoff_line(in_))]


def inspection_report_pdf(rental: Rental) -> bytes:
    """The état des lieux, in French. A 409 before the check-out: there is nothing to state."""
    out_, in_ = rental.inspection("check_out"), rental.inspection("check_in")
    if out_ is None:
        raise Conflict(_l("The vehicle has not been checked out yet: there is no condition "
                          "report."), code="no_inspection")
    with force_locale("fr"):
        return _render(rental, out_, in_)


def _render(rental, out_, in_) -> bytes:
    platform = db.session.get(Platform, rental.platform_id)
    person = rental.beneficiary
    reference = rental_number(rental)
    pdf = Document(_("Condition report, rental no. %(number)s", number=reference),
                   footer_text=_("Condition report %(number)s", number=reference))
    pdf.title_block(_("Vehicle condition report (état des lieux)"),
                    _("Rental no. %(number)s, %(platform)s", number=reference,
                      platform=platform.lender_name if platform else ""))
    pdf.key_values(_identity_rows(rental, out_, in_))

    pdf.heading(_("Check-out against check-in"))
    pdf.grid([_("Item checked"), _("Check-out"), _("Check-in"), _("What changed")],
             comparison_rows(rental), widths=(0.31, 0.23, 0.23, 0.23))
    _allowance(pdf, rental)

    pdf.heading(_("Damage notes"))
    for inspection, label in ((out_, _("At check-out")), (in_, _("At check-in"))):
        if inspection is None:
            continue
        pdf.paragraph(label, size=10, style="B")
        pdf.paragraph(inspection.damage_notes or _("No damage noted."), size=9)

    for inspection, label in ((out_, _("Photos at check-out")), (in_, _("Photos at check-in"))):
        files = _photo_files(inspection)
        if files:
            pdf.heading(label, keep_with=50)
            pdf.image_row(files, height=38)

    pdf.heading(_("Signatures"))
    pdf.paragraph(_("The beneficiary confirms that this report states the vehicle's condition "
                    "when it left and when it came back. Damage it shows that the check-out did "
                    "not may be kept from the deposit."), size=9)
    pdf.heading(_("Sign-off by the beneficiary on screen"), keep_with=30)
    pdf.key_values(signoff_rows(out_, in_))
    inspector = (in_ or out_).inspector
    pdf.signature_block([(_("The beneficiary"), person.full_name),
                         (_("For the platform"), inspector.full_name if inspector else "")])
    return pdf.output_bytes()


def _identity_rows(rental, out_, in_) -> list[tuple[str, str]]:
    """Who, which vehicle, when, and who inspected it at each end."""
    vehicle, person = rental.vehicle, rental.beneficiary
    return [
        (_("Beneficiary"), person.full_name),
        (_("Vehicle"), f"{pricing.KIND_LABELS.get(vehicle.kind, vehicle.kind)} {vehicle.plate}"
         + (f" ({vehicle.label})" if vehicle.label else "")),
        (_("Period"), _("%(start)s to %(end)s", start=short_date(rental.start_date),
                        end=short_date(rental.end_date))),
        (_("Check-out"), _("%(when)s, by %(who)s", when=local_datetime(out_.inspected_at, "short"),
                           who=out_.inspector.full_name if out_.inspector else "—")),
        (_("Check-in"), _("%(when)s, by %(who)s", when=local_datetime(in_.inspected_at, "short"),
                          who=in_.inspector.full_name if in_.inspector else "—")
         if in_ else _("not yet")),
    ]


def _allowance(pdf: Document, rental) -> None:
    """The allowance over the working days out, and by how much it was passed."""
    summary = mileage_summary(rental)
    if summary and summary["allowance_km"] is not None:
        pdf.ln(1)
        pdf.paragraph(ngettext("Allowance over %(num)d working day: %(km)s km.",
                               "Allowance over %(num)d working days: %(km)s km.",
                               summary["working_days"], km=number(summary["allowance_km"])),
                      size=9)
        if summary["over_allowance"]:
            pdf.paragraph(_("Over the allowance by %(km)s km.", km=number(summary["over_km"])),
                          size=9, style="B")
