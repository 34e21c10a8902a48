"""Inspections (état des lieux): check-out, check-in, the beneficiary's sign-off, the
differences between the two.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta

from fleet.models import CHECKLISTS, VEHICLE_STATUS_LABELS, Inspection, MaintenanceJob, Rental
from fleet.services.common import audit
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l


def _validate_checklist(kind: str, checklist: dict | None) -> dict:
    items = CHECKLISTS[kind]
    checklist = checklist or {}
    unknown = set(checklist) - set(items)
    if unknown:
        raise ValidationFailed(details={"checklist": _l("Unknown checklist items: %(items)s.",
                                                        items=", ".join(sorted(unknown)))})
    return {item: bool(checklist.get(item, False)) for item in items}


def _inspection(actor, rental: Rental, kind: str, odometer_km: int | None,
                energy_level_pct: int | None, checklist: dict | None,
                damage_notes: str | None, signoff: dict | None = None) -> Inspection:
    vehicle = rental.vehicle
    errors = {}
    # a sign-off begun (a name typed or the box ticked) must be complete; none may come later
    signing = bool(signoff and ((signoff.get("name") or "").strip() or signoff.get("checked")))
    if signing:
        errors.update(check_signoff(rental, name=signoff.get("name"),
                                    checked=bool(signoff.get("checked"))))
    errors.update(_reading_errors(rental, kind, odometer_km, energy_level_pct))
    if errors:
        raise ValidationFailed(details=errors)
    inspection = Inspection(
        platform_id=rental.platform_id, rental_id=rental.id, vehicle_id=vehicle.id, kind=kind,
        odometer_km=odometer_km, energy_level_pct=energy_level_pct,
        checklist=_validate_checklist(vehicle.kind, checklist),
        damage_notes=(damage_notes or "").strip() or None, inspector_id=getattr(actor, "id", None),
    )
    if signing:
        _apply_signoff(actor, inspection, signoff["name"])
    db.session.add(inspection)
    vehicle.odometer_km = odometer_km
    if energy_level_pct is not None:
        vehicle.energy_level_pct = energy_level_pct
    return inspection


def _reading_errors(rental: Rental, kind: str, odometer_km: int | None,
                    energy_level_pct: int | None) -> dict:
    """The odometer (never back from the vehicle's or the check-out's reading) and the level."""
    errors = {}
    minimum = rental.vehicle.odometer_km
    if kind == "check_in" and rental.inspection("check_out") is not None:
        minimum = max(minimum, rental.inspection("check_out").odometer_km)
    if odometer_km is None:
        errors["odometer_km"] = _l("This field is required.")
    elif odometer_km < minimum:
        errors["odometer_km"] = _l("The odometer cannot go back (last reading: %(km)s km).",
                                   km=minimum)
    if energy_level_pct is not None and not 0 <= energy_level_pct <= 100:
        errors["energy_level_pct"] = _l("A level is between 0 and 100 %.")
    return errors


def check_out(actor, rental: Rental, *, odometer_km: int | None,
              energy_level_pct: int | None = None, checklist: dict | None = None,
              damage_notes: str | None = None, signoff: dict | None = None,
              in_transaction: Callable[[Rental], None] | None = None) -> Inspection:
    """Hand the vehicle over: the check-out inspection, the rental starts.
    `signoff` ({"name", "checked"}) is the beneficiary's sign-off, when given on the spot;
    `in_transaction(rental)` adds what belongs with it in the same transaction."""
    if rental.status != "booked":
        raise Conflict(_l("This rental is not waiting for its check-out."), code="not_booked")
    if local_today() < rental.start_date:
        raise ValidationFailed(details={"start": _l(
            "The rental starts on %(date)s: the vehicle cannot leave before.",
            date=rental.start_date.isoformat())})
    if local_today() >= rental.end_date:
        raise ValidationFailed(details={"end": _l("The rental period is over.")})
    if not rental.vehicle.is_bookable:
        raise Conflict(_l("This vehicle cannot be booked: it is %(status)s.",
                          status=VEHICLE_STATUS_LABELS[rental.vehicle.status]),
                       code="vehicle_unavailable")
    inspection = _inspection(actor, rental, "check_out", odometer_km, energy_level_pct,
                             checklist, damage_notes, signoff)
    rental.status = "in_progress"
    rental.checked_out_at = utcnow()
    rental.vehicle.status = "rented"
    db.session.flush()
    audit(actor, "update", rental, ["status"])
    if in_transaction is not None:
        in_transaction(rental)
    db.session.commit()
    return inspection


def check_in(actor, rental: Rental, *, odometer_km: int | None,
             energy_level_pct: int | None = None, checklist: dict | None = None,
             damage_notes: str | None = None,
             open_maintenance: bool = False, immobilise: bool = False,
             signoff: dict | None = None,
             in_transaction: Callable[[Rental], None] | None = None
             ) -> tuple[Inspection, MaintenanceJob | None]:
    """Take the vehicle back: the check-in inspection; an early return frees the rest.

    With `open_maintenance` (new damage), a repair job is opened; with `immobilise` the
    vehicle waits in maintenance instead of going back to available.
    """
    if rental.status != "in_progress":
        raise Conflict(_l("This rental is not in progress."), code="not_in_progress")
    inspection = _inspection(actor, rental, "check_in", odometer_km, energy_level_pct,
                             checklist, damage_notes, signoff)
    day = local_today()
    rental.status = "returned"
    rental.returned_at = utcnow()
    rental.returned_on = day
    if day < rental.end_date:
        rental.end_date = max(day, rental.start_date + timedelta(days=1))
    # days kept after the planned return are charged (mobility.pricing: late_days)
    rental.late_days = max(0, (day - rental.end_date).days)
    job = None
    if open_maintenance or immobilise:
        db.session.flush()
        job = MaintenanceJob(
            platform_id=rental.platform_id, vehicle_id=rental.vehicle_id, kind="repair",
            description=inspection.damage_notes or "",
            due_on=day, inspection_id=inspection.id, status="open")
        db.session.add(job)
    rental.vehicle.status = "maintenance" if immobilise else "available"
    db.session.flush()
    audit(actor, "update", rental, ["status", "end_date"])
    if in_transaction is not None:
        in_transaction(rental)
    db.session.commit()
    return inspection, job


def normalise_name(name: str | None) -> str:
    """A person's name for comparison: accents, case, hyphens and extra spaces ignored (one
    home: the contract's signature and the condition report's sign-off)."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("-", " ").casefold().split())


def check_signoff(rental: Rental, *, name: str | None, checked: bool) -> dict:
    """The refusals of a beneficiary's sign-off of a condition report (empty when valid): the
    box ticked and the beneficiary's own first and last name typed."""
    errors = {}
    if not checked:
        errors["signoff_checked"] = _l("The beneficiary must tick that they checked the "
                                       "condition report.")
    if normalise_name(name) != normalise_name(rental.beneficiary.full_name):
        errors["signoff_name"] = _l("The beneficiary types their first and last name, as on "
                                    "the file.")
    return errors


def _apply_signoff(actor, inspection: Inspection, name: str) -> None:
    inspection.signoff_name = " ".join(name.split())[:200]
    inspection.signoff_checked = True
    inspection.signoff_witness_id = getattr(actor, "id", None)
    inspection.signoff_at = utcnow()


def sign_off(actor, inspection: Inspection, *, name: str | None, checked: bool) -> Inspection:
    """The beneficiary signs the condition report off on screen after the inspection (typed
    name, ticked box), witnessed by `actor`. Signed once: a second time is a 409."""
    if inspection.is_signed_off:
        raise Conflict(_l("This condition report is already signed off."),
                       code="already_signed_off")
    errors = check_signoff(inspection.rental, name=name, checked=checked)
    if errors:
        raise ValidationFailed(details=errors)
    _apply_signoff(actor, inspection, name or "")
    audit(actor, "update", inspection, ["signoff_name", "signoff_checked",
                                        "signoff_witness_id", "signoff_at"])
    db.session.commit()
    return inspection


def inspection_differences(rental: Rental) -> list[dict]:
    """What changed between check-out and check-in: odometer, level, checklist, damage."""
    out_, in_ = rental.inspection("check_out"), rental.inspection("check_in")
    if out_ is None or in_ is None:
        return []
    diffs = [{"field": "odometer_km", "check_out": out_.odometer_km, "check_in": in_.odometer_km,
              "delta": in_.odometer_km - out_.odometer_km}]
    if out_.energy_level_pct is not None or in_.energy_level_pct is not None:
        diffs.append({"field": "energy_level_pct", "check_out": out_.energy_level_pct,
                      "check_in": in_.energy_level_pct,
                      "delta": (in_.energy_level_pct or 0) - (out_.energy_level_pct or 0)})
    for item in sorted(set(out_.checklist) | set(in_.checklist)):
        before, after = out_.checklist.get(item), in_.checklist.get(item)
        if before != after:
            diffs.append({"field": f"checklist.{item}", "check_out": before, "check_in": after})
    if (in_.damage_notes or "") != (out_.damage_notes or ""):
        diffs.append({"field": "damage_notes", "check_out": out_.damage_notes,
                      "check_in": in_.damage_notes})
    return diffs
