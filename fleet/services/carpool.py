"""Carpool: regular rides and their seats, booked per date, never oversold."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fleet.models import DRIVER_KINDS, CarpoolRide, MinibusBooking, SeatBooking
from fleet.services.common import (
    audit,
    beneficiary_on_platform,
    blank_errors,
    free_seat_number,
    locked,
)
from mobility.core.dates import local_today
from mobility.core.db import db, write_transaction
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l


def create_ride(actor, *, driver_kind: str, driver_name: str, origin: str, destination: str,
                departure_time, seats: int, valid_from: date,
                weekdays: Iterable[int] = (0, 1, 2, 3, 4),
                return_time=None, valid_until: date | None = None,
                driver_phone: str | None = None, driver_beneficiary_id: int | None = None,
                notes: str | None = None) -> CarpoolRide:
    """Offer a regular carpool ride."""
    days = sorted({int(d) for d in weekdays or ()})
    errors = _ride_errors(driver_kind=driver_kind, driver_name=driver_name, origin=origin,
                          destination=destination, seats=seats, days=days,
                          valid_from=valid_from, valid_until=valid_until,
                          departure_time=departure_time)
    if errors:
        raise ValidationFailed(details=errors)
    if driver_kind == "beneficiary":
        beneficiary_on_platform(driver_beneficiary_id, actor.platform_id, "driver_beneficiary_id")
    else:
        driver_beneficiary_id = None
    ride = CarpoolRide(
        platform_id=actor.platform_id, driver_kind=driver_kind, driver_name=driver_name.strip(),
        driver_phone=driver_phone, driver_beneficiary_id=driver_beneficiary_id,
        origin=origin.strip(), destination=destination.strip(),
        weekdays=",".join(str(d) for d in days), departure_time=departure_time,
        return_time=return_time, seats=seats, valid_from=valid_from, valid_until=valid_until,
        notes=notes)
    db.session.add(ride)
    db.session.flush()
    audit(actor, "create", ride, ["driver_kind", "origin", "destination", "seats"])
    db.session.commit()
    return ride


def _ride_errors(*, driver_kind: str, driver_name: str, origin: str, destination: str,
                 seats: int | None, days: list[int], valid_from: date | None,
                 valid_until: date | None, departure_time) -> dict:
    errors = {}
    if driver_kind not in DRIVER_KINDS:
        errors["driver_kind"] = _l("This value is not one of the allowed choices.")
    errors.update(blank_errors(driver_name=driver_name, origin=origin, destination=destination))
    if seats is None or seats < 1 or seats > 8:
        errors["seats"] = _l("Between 1 and 8 seats.")
    if not days or any(d < 0 or d > 6 for d in days):
        errors["weekdays"] = _l("Choose at least one day of the week.")
    if valid_until is not None and valid_from is not None and valid_until < valid_from:
        errors["valid_until"] = _l("The end date must be after the start date.")
    if departure_time is None:
        errors["departure_time"] = _l("This field is required.")
    return errors


def seats_taken(ride_id: int, day: date) -> int:
    return db.session.scalar(select(func.count()).select_from(SeatBooking).where(
        SeatBooking.ride_id == ride_id, SeatBooking.ride_date == day,
        SeatBooking.status == "booked")) or 0


def book_seats(actor, ride: CarpoolRide, *, beneficiary_id: int, dates: Iterable[date]
               ) -> list[SeatBooking]:
    """Book one seat per date for a beneficiary, all or nothing; 409 when a date is full.

    The ride row is locked (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite)
    and a unique seat number per ride and date backs it: seats are never oversold.
    """
    days = sorted(set(dates or ()))
    _check_ride_dates(ride, days)
    beneficiary_on_platform(beneficiary_id, ride.platform_id)
    ride_id = ride.id
    bookings: list[SeatBooking] = []
    try:
        with write_transaction():
            ride = locked(CarpoolRide, ride_id)
            taken = _seats_taken_on(ride, days, beneficiary_id)
            for day in days:
                booking = SeatBooking(
                    platform_id=ride.platform_id, ride_id=ride_id, beneficiary_id=beneficiary_id,
                    ride_date=day, seat_number=free_seat_number(taken[day], ride.seats),
                    booked_by_id=getattr(actor, "id", None))
                db.session.add(booking)
                bookings.append(booking)
            db.session.flush()
            for booking in bookings:
                audit(actor, "create", booking, ["beneficiary_id", "ride_date"])
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("This ride is full on: %(dates)s.",
                          dates=", ".join(d.isoformat() for d in days)),
                       code="ride_full", details={"full_dates": [d.isoformat() for d in days]}
                       ) from None
    return bookings


def _check_ride_dates(ride: CarpoolRide, days: list[date]) -> None:
    """A 400 unless the dates are given, none past, and the ride runs on each."""
    if not days:
        raise ValidationFailed(details={"dates": _l("Choose at least one date.")})
    if days[0] < local_today():
        raise ValidationFailed(details={"dates": _l("A date is in the past.")})
    not_running = [d.isoformat() for d in days if not ride.runs_on(d)]
    if not_running:
        raise ValidationFailed(details={"dates": _l(
            "The ride does not run on: %(dates)s.", dates=", ".join(not_running))})


def _seats_taken_on(ride: CarpoolRide, days: list[date], beneficiary_id: int
                    ) -> dict[date, set[int]]:
    """The seat numbers taken on each date (the ride locked); 409 when the beneficiary has a
    seat on one already or a date is full."""
    rows = db.session.execute(select(
        SeatBooking.ride_date, SeatBooking.seat_number, SeatBooking.beneficiary_id
    ).where(SeatBooking.ride_id == ride.id, SeatBooking.ride_date.in_(days),
            SeatBooking.status == "booked")).all()
    taken: dict[date, set[int]] = {d: set() for d in days}
    already = []
    for ride_date, seat_number, booked_for in rows:
        taken[ride_date].add(seat_number)
        if booked_for == beneficiary_id:
            already.append(ride_date.isoformat())
    if already:
        raise Conflict(_l("This beneficiary already has a seat on: %(dates)s.",
                          dates=", ".join(already)), code="seat_already_booked",
                       details={"dates": already})
    full = [d.isoformat() for d in days if len(taken[d]) >= ride.seats]
    if full:
        raise Conflict(_l("This ride is full on: %(dates)s.", dates=", ".join(full)),
                       code="ride_full", details={"full_dates": full, "seats": ride.seats})
    return taken


def cancel_seat(actor, booking: SeatBooking | MinibusBooking):
    """Free a booked seat."""
    if booking.status != "booked":
        raise Conflict(_l("This seat is already cancelled."), code="seat_cancelled")
    booking.status = "cancelled"
    audit(actor, "update", booking, ["status"])
    db.session.commit()
    return booking
