"""The checks of the rental's steps, one function per rule, each returning a `Refusal` (what is
wrong, with a stable code and what to do next) or None. `lifecycle` calls them; the rental page
lists the hand-over ones as the "ready to hand over" list.

Legal rules (licence and age, roadworthiness, signed contract) have no override; scheme rules
(eligibility criteria, the missing assessment, a second vehicle) can be overridden by an advisor
with a written reason, recorded in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from fleet.licences import licence_refusal
from fleet.models import (
    CHECKLISTS,
    INSPECTED_KINDS,
    INSURED_KINDS,
    SAFETY_ITEMS,
    UNBOOKABLE_STATUSES,
    VEHICLE_CLASSES,
    MaintenanceJob,
    Rental,
    Vehicle,
)
from mobility.contracts.services import contract_is_current, contract_of
from mobility.core.dates import add_months
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import lazy_date
from mobility.payments.services import deposit_of
from mobility.people.services import eligibility_for
from mobility.pricing import services as pricing
from mobility.pricing.amie import amie_max_months, amie_months_used
from mobility.pricing.engine import months_started

#: the shortest written reason an advisor must give to lift a scheme rule
MIN_REASON = 10


@dataclass
class Refusal:
    """Why a step may not happen: a stable `code`, a message saying what to do next, the HTTP
    status (409: the rental's state; 422: the person or vehicle does not qualify)."""

    code: str
    message: Any
    status: int = 422
    details: dict[str, Any] = field(default_factory=dict)
    #: True for scheme rules an advisor may lift with a written reason
    overridable: bool = False


# -- the person ---------------------------------------------------------------------------

def check_open_pathway(person) -> Refusal | None:
    if person.open_pathway is None:
        return Refusal("pathway_not_open", _l(
            "This person has no pathway in progress: reopen their file before booking."))
    return None


def check_entry_assessment(person, override_reason: str | None) -> Refusal | None:
    pathway = person.open_pathway
    if pathway is not None and pathway.assessment("entry") is not None:
        return None
    if override_reason and len(override_reason.strip()) >= MIN_REASON:
        return None
    return Refusal("assessment_missing", _l(
        "Record the person's entry mobility assessment first, or write why the booking cannot "
        "wait for it."), overridable=True)


def check_licence(person, vehicle, *, start: date, end: date) -> Refusal | None:
    """The licence the vehicle's class needs, in force on the first and the last day, and the
    minimum age on the first (Code de la route, see `fleet.licences`). No override."""
    licences = person.held_licences()
    for day in (start, end - timedelta(days=1)):
        refusal = licence_refusal(licences, birth_date=person.birth_date,
                                  category=vehicle.needed_licence, on=day)
        if refusal is not None:
            return Refusal(refusal.code, refusal.message,
                           details={"licence_category": refusal.category,
                                    "on": day.isoformat()})
    return None


def check_scheme(person, scheme: str, *, amie_months: int | None = None) -> Refusal | None:
    """The scheme's eligibility on the day (an advisor's override in force lifts the criteria it
    names)."""
    result = eligibility_for(person, scheme, amie_months_used=amie_months)
    if result["eligible"]:
        return None
    failed = [r for r in result["reasons"] if not r["met"] and not r.get("overridden")]
    return Refusal("scheme_not_eligible", _l(
        "The person does not meet the conditions of this scheme: %(reasons)s Complete their "
        "file, or record an eligibility decision with its justification.",
        reasons=" ".join(str(r["message"]) for r in failed)),
        details={"scheme": scheme, "failed": [r["criterion"] for r in failed]},
        overridable=True)


def check_amie_months(person, *, start: date, end: date, exclude_rental_id: int | None = None,
                      ) -> Refusal | None:
    """AMIE lends a car for at most N months per person, over all their AMIE rentals (past,
    current, booked, and this one)."""
    limit = amie_max_months(person.platform_id)
    used = amie_months_used(person.id, exclude_rental_id=exclude_rental_id)
    wanted = months_started(start, end)
    if used + wanted <= limit:
        return None
    left = max(0, limit - used)
    latest = add_months(start, left) if left else None
    if latest is not None:
        message = _l("The progressive plan (AMIE) lends a car %(limit)s months at most per "
                     "person: %(used)s already used or booked. Choose a return date on "
                     "%(date)s at the latest, or the daily rate (Bougez).",
                     limit=limit, used=used, date=lazy_date(latest))
    else:
        message = _l("The progressive plan (AMIE) lends a car %(limit)s months at most per "
                     "person, and all of them are used or booked: choose the daily rate "
                     "(Bougez) or another solution.", limit=limit)
    return Refusal("amie_cap_reached", message,
                   details={"limit_months": limit, "used_months": used,
                            "requested_months": wanted,
                            "latest_end": latest.isoformat() if latest else None})


def check_one_vehicle_per_class(person, vehicle, *, start: date, end: date,
                                exclude_rental_id: int | None, reason: str | None
                                ) -> Refusal | None:
    """No second vehicle of the same class over the same days, unless an advisor writes why."""
    same_class = [kind for kind, cls in VEHICLE_CLASSES.items()
                  if cls == VEHICLE_CLASSES[vehicle.kind]]
    query = (select(Rental).join(Vehicle, Vehicle.id == Rental.vehicle_id)
             .where(Rental.beneficiary_id == person.id, Vehicle.kind.in_(same_class),
                    Rental.status.in_(("booked", "in_progress")), Rental.start_date < end,
                    Rental.end_date > start))
    if exclude_rental_id is not None:
        query = query.where(Rental.id != exclude_rental_id)
    other = db.session.scalars(query.limit(1)).first()
    if other is None or (reason and len(reason.strip()) >= MIN_REASON):
        return None
    return Refusal("second_vehicle", _l(
        "The person already has %(vehicle)s from %(start)s to %(end)s. Choose other dates, or "
        "write why a second one is needed.", vehicle=other.vehicle.display_name,
        start=lazy_date(other.start_date), end=lazy_date(other.end_date)),
        details={"rental_id": other.id}, overridable=True)


# -- the vehicle --------------------------------------------------------------------------

def check_roadworthy(vehicle, *, end: date, today: date) -> Refusal | None:
    """On the road until the planned return: not in maintenance, insured and inspected until
    then (Code des assurances L211-1, Code de la route R323-1), no open defect."""
    if vehicle.status in UNBOOKABLE_STATUSES:
        return Refusal("vehicle_not_roadworthy", _l(
            "This vehicle cannot leave (status: %(status)s): choose another one, or finish its "
            "maintenance first.", status=vehicle.status_label), details={"reason": vehicle.status})
    # one sentence per document and case: French agrees them (l'assurance, le contrôle)
    documents = (
        ("insurance", vehicle.insurance_expires_on, vehicle.kind in INSURED_KINDS,
         lambda: _l("Record this vehicle's insurance and its expiry date before it leaves."),
         lambda day: _l("This vehicle's insurance has expired (%(date)s): renew it before it "
                        "leaves.", date=day),
         lambda day: _l("This vehicle's insurance ends on %(date)s, before the return: renew "
                        "it, or choose a return date by then.", date=day)),
        ("technical_inspection", vehicle.technical_inspection_expires_on,
         vehicle.kind in INSPECTED_KINDS,
         lambda: _l("Record this vehicle's technical inspection and its expiry date before it "
                    "leaves."),
         lambda day: _l("This vehicle's technical inspection has expired (%(date)s): have it "
                        "done before the vehicle leaves.", date=day),
         lambda day: _l("This vehicle's technical inspection ends on %(date)s, before the "
                        "return: have it done, or choose a return date by then.", date=day)),
    )
    for name, expires_on, required, missing, expired, expiring in documents:
        if expires_on is None and required:
            return Refusal("vehicle_not_roadworthy", missing(),
                           details={"reason": f"{name}_missing"})
        if expires_on is not None and expires_on < end:
            message = expired if expires_on < today else expiring
            return Refusal("vehicle_not_roadworthy", message(lazy_date(expires_on)),
                           details={"reason": f"{name}_expired",
                                    "expires_on": expires_on.isoformat()})
    defect = db.session.scalar(select(MaintenanceJob).where(
        MaintenanceJob.vehicle_id == vehicle.id, MaintenanceJob.kind == "repair",
        MaintenanceJob.status == "open").limit(1))
    if defect is not None:
        return Refusal("vehicle_not_roadworthy", _l(
            "This vehicle has a repair waiting (%(what)s): close the repair job first, or "
            "choose another vehicle.", what=defect.description or _l("defect reported")),
            details={"reason": "open_defect", "maintenance_job_id": defect.id})
    return None


def check_checklist(kind: str, checklist: dict | None) -> tuple[dict, list[str]]:
    """The check-out checklist must list every item of the kind (True when in good order);
    returns it and the failed safety items. A missing or unknown item is a 400."""
    items = CHECKLISTS[kind]
    checklist = checklist or {}
    unknown = sorted(set(checklist) - set(items))
    missing = [item for item in items if item not in checklist]
    if unknown or missing or not all(isinstance(v, bool) for v in checklist.values()):
        raise ValidationFailed(_l("Tick or untick every item of the checklist."), details={
            "checklist": _l("Every item of the checklist must be given, true or false: "
                            "%(items)s.", items=", ".join(items)),
            "missing": missing, "unknown": unknown}, code="checklist_incomplete")
    failed = [item for item in items if item in SAFETY_ITEMS and not checklist[item]]
    return dict(checklist), failed


# -- the rental's papers ------------------------------------------------------------------

#: "not read yet": the rule reads the record itself
UNREAD: Any = object()


def check_contract_signed(rental, *, contract: Any = UNREAD,
                          current: bool | None = None) -> Refusal | None:
    """The current contract version signed. `contract` (None: none) and `current` may be given
    when already read for many rentals (`contracts.services.contracts_of`)."""
    if current if current is not None else contract_is_current(rental):
        return None
    if contract is UNREAD:
        contract = contract_of(rental)
    if contract is not None and contract.is_signed:
        message = _l("The rental changed since the contract was signed: have the new version "
                     "signed by the person.")
    else:
        message = _l("Have the person sign the provision contract before the vehicle leaves.")
    return Refusal("contract_not_signed", message, status=409)


def deposit_due_cents(rental) -> int:
    return pricing.ensure_terms(rental, commit=False).deposit_cents


def check_deposit(rental, *, deposit: Any = UNREAD,
                  due_cents: int | None = None) -> Refusal | None:
    """The deposit held, unless none is due or the person is exempted. `deposit` (None: none)
    and `due_cents` may be given when already read for many rentals."""
    due_cents = deposit_due_cents(rental) if due_cents is None else due_cents
    if due_cents == 0 or rental.deposit_exemption_reason:
        return None
    if deposit is UNREAD:
        deposit = deposit_of(rental)
    if deposit is not None and deposit.status == "held":
        return None
    if deposit is not None and deposit.status in ("pending", "expired"):
        message = _l("The deposit is not held yet (%(status)s): complete it before the vehicle "
                     "leaves.", status=deposit.status_label)
    else:
        message = _l("Take the deposit (cheque, cash, card) before the vehicle leaves, or record "
                     "why the person is exempted.")
    return Refusal("deposit_missing", message, status=409)


def check_in_period(rental, today: date) -> Refusal | None:
    if today < rental.start_date:
        return Refusal("before_start", _l(
            "The rental starts on %(date)s: the vehicle cannot leave before.",
            date=lazy_date(rental.start_date)), status=409)
    if today >= rental.end_date:
        return Refusal("period_over", _l(
            "The rental period is over: change the return date or book again."), status=409)
    return None
