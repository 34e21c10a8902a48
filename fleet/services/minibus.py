"""Minibus (transport micro-collectif): runs with ordered stops and their seats."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fleet.models import MINIBUS_CHARTER_VERSION, MinibusBooking, MinibusRun, MinibusStop, Vehicle
from fleet.services.common import (
    audit,
    beneficiary_on_platform,
    blank_errors,
    free_seat_number,
    locked,
    of_platform,
)
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db, write_transaction
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l


def create_run(actor, *, name: str, run_date: date, departure_time, driver_name: str,
               capacity: int, stops: list[dict], vehicle_id: int | None = None,
               notes: str | None = None) -> MinibusRun:
    """Plan a minibus run with its ordered stops (`{"name", "address", "stop_time"}`)."""
    errors = _run_errors(name=name, driver_name=driver_name, run_date=run_date,
                         capacity=capacity, stops=stops, departure_time=departure_time)
    if errors:
        raise ValidationFailed(details=errors)
    if vehicle_id is not None:
        of_platform(Vehicle, vehicle_id, actor.platform_id, "vehicle_id",
                    _l("This vehicle does not exist."))
    run = MinibusRun(platform_id=actor.platform_id, name=name.strip(), run_date=run_date,
                     departure_time=departure_time, driver_name=driver_name.strip(),
                     vehicle_id=vehicle_id, capacity=capacity, notes=notes)
    for position, stop in enumerate(stops, start=1):
        run.stops.append(MinibusStop(platform_id=actor.platform_id, position=position,
                                     name=stop["name"].strip(), address=stop.get("address"),
                                     stop_time=stop.get("stop_time")))
    db.session.add(run)
    db.session.flush()
    audit(actor, "create", run, ["name", "run_date", "capacity"])
    db.session.commit()
    return run


def _run_errors(*, name: str, driver_name: str, run_date: date | None, capacity: int | None,
                stops: list[dict], departure_time) -> dict:
    errors = blank_errors(name=name, driver_name=driver_name)
    if run_date is None:
        errors["run_date"] = _l("This field is required.")
    elif run_date < local_today():
        errors["run_date"] = _l("The date cannot be in the past.")
    if capacity is None or not 1 <= capacity <= 30:
        errors["capacity"] = _l("Between 1 and 30 seats.")
    if not stops or any(not (s.get("name") or "").strip() for s in stops):
        errors["stops"] = _l("Give at least one stop, each with a name.")
    if departure_time is None:
        errors["departure_time"] = _l("This field is required.")
    return errors


def book_minibus_seat(actor, run: MinibusRun, *, beneficiary_id: int, charter_accepted: bool,
                      stop_id: int | None = None) -> MinibusBooking:
    """Book a seat on a run; the passenger must accept the service charter (recorded)."""
    if not charter_accepted:
        raise ValidationFailed(details={"charter_accepted": _l(
            "The passenger must accept the service charter.")})
    if run.run_date < local_today():
        raise ValidationFailed(details={"run_id": _l("This run is in the past.")})
    beneficiary_on_platform(beneficiary_id, run.platform_id)
    if stop_id is not None and stop_id not in {s.id for s in run.stops}:
        raise ValidationFailed(details={"stop_id": _l("This stop is not on the run.")})
    run_id = run.id
    try:
        with write_transaction():
            run = locked(MinibusRun, run_id)
            rows = db.session.execute(select(MinibusBooking.seat_number,
                                             MinibusBooking.beneficiary_id).where(
                MinibusBooking.run_id == run_id, MinibusBooking.status == "booked")).all()
            if any(b == beneficiary_id for _, b in rows):
                raise Conflict(_l("This beneficiary already has a seat on this run."),
                               code="seat_already_booked")
            seat = free_seat_number({n for n, _ in rows}, run.capacity)
            if seat is None:
                raise Conflict(_l("This run is full."), code="run_full",
                               details={"capacity": run.capacity})
            booking = MinibusBooking(
                platform_id=run.platform_id, run_id=run_id, beneficiary_id=beneficiary_id,
                stop_id=stop_id, seat_number=seat, charter_accepted_at=utcnow(),
                charter_version=MINIBUS_CHARTER_VERSION, booked_by_id=getattr(actor, "id", None))
            db.session.add(booking)
            db.session.flush()
            audit(actor, "create", booking, ["beneficiary_id", "charter_accepted_at"])
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("This run is full."), code="run_full") from None
    return booking
