"""The vehicle leaves (hand-over, check-out) and comes back (take-back, check-in), and the
distance driven against the allowance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fleet import services as fleet
from fleet.models import CHECKLIST_LABELS, MaintenanceJob, Rental
from mobility.audit.services import record_audit
from mobility.checkpoints.services import working_days
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import NotQualified
from mobility.core.translations import lazy_gettext as _l
from mobility.pricing.mileage import allowance_for
from mobility.rentals import rules, signals
from mobility.rentals.lifecycle.states import check_state, refuse
from mobility.rentals.rules import Refusal


@dataclass
class ReadyItem:
    code: str
    ok: bool
    label: Any
    message: Any = None


READY_LABELS = {
    "pathway": _l("Pathway in progress"),
    "licence": _l("Licence for this vehicle"),
    "contract": _l("Contract signed (current version)"),
    "deposit": _l("Deposit held or exemption recorded"),
    "vehicle": _l("Vehicle roadworthy until the return (documents, no defect)"),
    "period": _l("Within the rental period"),
}


@dataclass
class PaperworkRead:
    """The rental's contract and deposit as already read for many rentals (the person's file),
    so that its readiness does not read them again: the rules stay `rules.check_*`'s."""

    contract: Any = None
    current: bool = False
    deposit: Any = None
    deposit_cents: int | None = None


def handover_refusals(rental: Rental, today: date,
                      paperwork: PaperworkRead | None = None) -> dict[str, Refusal | None]:
    """The hand-over's conditions, by item of the "ready to hand over" list."""
    person, vehicle = rental.beneficiary, rental.vehicle
    if paperwork is not None:
        contract = rules.check_contract_signed(rental, contract=paperwork.contract,
                                               current=paperwork.current)
        deposit = rules.check_deposit(rental, deposit=paperwork.deposit,
                                      due_cents=paperwork.deposit_cents)
    else:
        contract, deposit = rules.check_contract_signed(rental), rules.check_deposit(rental)
    return {
        "period": rules.check_in_period(rental, today),
        "pathway": rules.check_open_pathway(person),
        "licence": rules.check_licence(person, vehicle, start=max(today, rental.start_date),
                                       end=rental.end_date),
        "vehicle": rules.check_roadworthy(vehicle, end=rental.end_date, today=today),
        "contract": contract,
        "deposit": deposit,
    }


def handover_readiness(rental: Rental, today: date | None = None,
                       paperwork: PaperworkRead | None = None) -> list[ReadyItem]:
    """What is done and what is still missing before the vehicle may leave (the checklist is
    filled at the hand-over itself)."""
    if rental.status != "booked":
        return []
    checks = handover_refusals(rental, today or local_today(), paperwork)
    return [ReadyItem(code, refusal is None, READY_LABELS[code],
                      refusal.message if refusal else None) for code, refusal in checks.items()]


def hand_over(actor, rental: Rental, *, odometer_km: int | None,
              energy_level_pct: int | None = None, checklist: dict | None = None,
              damage_notes: str | None = None, signoff: dict | None = None):
    """The vehicle leaves (check-out inspection): the rental is in progress.

    Needs: the rental booked and within its period; the person's pathway open and the licence
    the vehicle needs, in force; the vehicle roadworthy until the return; the current contract
    version signed; the deposit held (or an exemption recorded, or none set by the tariff); the
    checklist with every item of the kind. A failed safety item (brakes, lights, tyres) refuses
    the hand-over and opens a repair job.
    """
    refuse([check_state(rental, "hand_over")])
    today = local_today()
    checklist, failed = rules.check_checklist(rental.vehicle.kind, checklist)
    refuse(handover_refusals(rental, today).values())
    if failed:
        job = MaintenanceJob(
            platform_id=rental.platform_id, vehicle_id=rental.vehicle_id, kind="repair",
            description=str(_l("Found at the hand-over: %(items)s.", items=", ".join(
                str(CHECKLIST_LABELS[item]) for item in failed))),
            due_on=today, status="open")
        db.session.add(job)
        rental.vehicle.status = "maintenance"
        db.session.flush()
        record_audit(actor, "create", object_type="MaintenanceJob", object_id=job.id,
                     platform_id=rental.platform_id, fields=["kind", "description"])
        db.session.commit()
        raise NotQualified(_l(
            "The vehicle cannot leave: %(items)s failed the check. A repair job was opened; "
            "replace the vehicle or repair it first.", items=", ".join(
                str(CHECKLIST_LABELS[item]) for item in failed)),
            code="checklist_failed", details={"failed": failed, "maintenance_job_id": job.id})
    return fleet.check_out(actor, rental, odometer_km=odometer_km,
                           energy_level_pct=energy_level_pct, checklist=checklist,
                           damage_notes=damage_notes, signoff=signoff,
                           in_transaction=signals.rental_handed_over.send)



def take_back(actor, rental: Rental, *, odometer_km: int | None,
              energy_level_pct: int | None = None, checklist: dict | None = None,
              damage_notes: str | None = None, open_maintenance: bool = False,
              immobilise: bool = False, signoff: dict | None = None):
    """The vehicle comes back (check-in inspection): days kept after the planned return are
    counted to be charged; the distance driven is compared with the allowance."""
    refuse([check_state(rental, "take_back")])
    checklist, _failed = rules.check_checklist(rental.vehicle.kind, checklist)
    return fleet.check_in(actor, rental, odometer_km=odometer_km,
                          energy_level_pct=energy_level_pct, checklist=checklist,
                          damage_notes=damage_notes, open_maintenance=open_maintenance,
                          immobilise=immobilise, signoff=signoff,
                          in_transaction=signals.rental_returned.send)


def mileage_summary(rental: Rental) -> dict[str, Any] | None:
    """Distance driven between check-out and check-in against the allowance of the working
    days in between (the checkpoints' rule)."""
    out_, in_ = rental.inspection("check_out"), rental.inspection("check_in")
    if out_ is None or in_ is None:
        return None
    driven = in_.odometer_km - out_.odometer_km
    days = working_days(out_.inspected_at.date(), in_.inspected_at.date())
    allowance = allowance_for(rental, days)
    return {"driven_km": driven, "working_days": days, "allowance_km": allowance,
            "over_allowance": allowance is not None and driven > allowance,
            "over_km": round(max(0.0, driven - allowance), 1) if allowance is not None else None}

