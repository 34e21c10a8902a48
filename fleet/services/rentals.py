"""Availability and bookings: periods, free vehicles, no double booking, a rental's planned
return date.

The rules of a rental's steps that read the person, the prices, the contract or the deposit
live in `mobility.rentals.lifecycle`, which calls these once they hold; these keep the
fleet's own invariants (periods, no double booking).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Date, and_, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from fleet.models import (
    FITTING_KINDS,
    UNBOOKABLE_STATUSES,
    VEHICLE_KINDS,
    VEHICLE_STATUS_LABELS,
    Rental,
    Site,
    Vehicle,
)
from fleet.services.common import (
    audit,
    beneficiary_on_platform,
    is_exclusion_violation,
    of_platform,
)
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db, write_transaction
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from routing.network import haversine_m

#: how far ahead the "first date a vehicle frees up" looks
FREE_DATE_HORIZON_DAYS = 365
#: longest rental one booking may cover
MAX_RENTAL_DAYS = 366
#: when nothing is free at the site asked for, vehicles are offered at this many other sites,
#: the nearest first: a site across the territory does not help someone without a car
NEARBY_SITES = 5


def _validate_period(start: date | None, end: date | None, *, new: bool = False) -> None:
    errors = {}
    if start is None:
        errors["start"] = _l("This field is required.")
    if end is None:
        errors["end"] = _l("This field is required.")
    if errors:
        raise ValidationFailed(details=errors)
    if end <= start:
        raise ValidationFailed(details={"end": _l("The end date must be after the start date.")})
    if (end - start).days > MAX_RENTAL_DAYS:
        raise ValidationFailed(details={"end": _l("A rental lasts at most one year.")})
    if new and start < local_today():
        raise ValidationFailed(details={"start": _l("The period cannot start in the past.")})


def validate_new_period(start: date | None, end: date | None) -> None:
    """A booking's period: both dates, in order, at most a year, not starting in the past."""
    _validate_period(start, end, new=True)


def overlapping(start: date, end: date):
    """SQL condition: a rental that holds its vehicle during part of `[start, end)`."""
    return and_(Rental.status != "cancelled", Rental.start_date < end, Rental.end_date > start)


def _overdue_out(today=None):
    """SQL condition: a vehicle still out after its planned return (not offered until back)."""
    return and_(Rental.status == "in_progress",
                Rental.end_date < (local_today() if today is None else today))


def free_vehicles(platform_id: int, *, start: date, end: date, kind: str | None = None,
                  site_id: int | None = None, exclude_site_id: int | None = None,
                  kinds: Iterable[str] | None = None,
                  limit: int | None = None, with_sites: bool = True) -> list[Vehicle]:
    """Vehicles free for the whole period `[start, end)`, bookable, by site then plate
    (`with_sites`: read each one's site in the same query, unless the sites are already in
    the session)."""
    query = select(Vehicle).where(
        Vehicle.platform_id == platform_id, Vehicle.status.not_in(UNBOOKABLE_STATUSES),
        _is_free(start, end),
    ).order_by(Vehicle.site_id, Vehicle.plate)
    if with_sites:
        query = query.options(joinedload(Vehicle.site))
    if kind:
        query = query.where(Vehicle.kind == kind)
    if kinds is not None:
        query = query.where(Vehicle.kind.in_(list(kinds)))
    if site_id:
        query = query.where(Vehicle.site_id == site_id)
    if exclude_site_id:
        query = query.where(Vehicle.site_id != exclude_site_id)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def first_free_dates(vehicles: list[Vehicle], start: date, days: int) -> list[tuple[Vehicle, date]]:
    """For each vehicle, the first date from `start` it is free for `days` days, earliest first."""
    if not vehicles:
        return []
    horizon = start + timedelta(days=FREE_DATE_HORIZON_DAYS)
    rows = db.session.execute(_periods_statement(), {
        "vehicle_ids": [v.id for v in vehicles], "start": start, "horizon": horizon}).all()
    by_vehicle: dict[int, list[tuple[date, date]]] = {}
    for vehicle_id, rental_start, rental_end in rows:
        by_vehicle.setdefault(vehicle_id, []).append((rental_start, rental_end))
    out = []
    for vehicle in vehicles:
        candidate = start
        for rental_start, rental_end in by_vehicle.get(vehicle.id, []):
            if rental_start >= candidate + timedelta(days=days):
                break
            candidate = max(candidate, rental_end)
        if candidate < horizon:
            out.append((vehicle, candidate))
    out.sort(key=lambda pair: (pair[1], pair[0].plate))
    return out


def nearest_other_sites(sites: Iterable[Site], site_id: int, count: int) -> list[int] | None:
    """The `count` sites other than `site_id` nearest to it as the crow flies, nearest first
    (those without a position last); None when the site's own position is not known."""
    sites = list(sites)
    here = next((s for s in sites if s.id == site_id), None)
    if here is None or here.lat is None or here.lon is None:
        return None

    def rank(site: Site) -> tuple[bool, float, int]:
        # sites whose position is not known come after those measured, rather than never
        if site.lat is None or site.lon is None:
            return True, 0.0, site.id
        return False, float(haversine_m(here.lat, here.lon, site.lat, site.lon)), site.id

    return [s.id for s in sorted((s for s in sites if s.id != site_id), key=rank)[:count]]


def _is_free(start, end, today=None):
    """SQL condition: the vehicle has no rental during `[start, end)` and is not still out
    after its planned return (dates, or bound parameters)."""
    busy = select(Rental.id).where(Rental.vehicle_id == Vehicle.id, overlapping(start, end))
    still_out = select(Rental.id).where(Rental.vehicle_id == Vehicle.id, _overdue_out(today))
    return and_(~busy.exists(), ~still_out.exists())


def _dates(*names: str) -> list:
    return [bindparam(name, type_=Date) for name in names]


# The availability search's statements, built once per shape and run with their values:
# building one costs about half a millisecond, as much as the database takes to answer it.

@cache
def _site_vehicles_statement(with_kind: bool):
    start, end, today = _dates("start", "end", "today")
    query = select(Vehicle, _is_free(start, end, today).label("free")).where(
        Vehicle.platform_id == bindparam("platform_id"),
        Vehicle.status.not_in(UNBOOKABLE_STATUSES), Vehicle.site_id == bindparam("site_id"),
    ).options(joinedload(Vehicle.site)).order_by(Vehicle.plate)
    return query.where(Vehicle.kind == bindparam("kind")) if with_kind else query


@cache
def _nearby_or_fitting_statement(with_kind: bool):
    start, end, today = _dates("start", "end", "today")
    at_nearby = Vehicle.site_id.in_(bindparam("nearby", expanding=True))
    if with_kind:
        at_nearby = and_(at_nearby, Vehicle.kind == bindparam("kind"))
    fitting = and_(Vehicle.site_id == bindparam("site_id"),
                   Vehicle.kind.in_(bindparam("fitting", expanding=True)))
    return select(Vehicle).where(
        Vehicle.platform_id == bindparam("platform_id"),
        Vehicle.status.not_in(UNBOOKABLE_STATUSES), _is_free(start, end, today),
        or_(at_nearby, fitting)).order_by(Vehicle.site_id, Vehicle.plate)


@cache
def _periods_statement():
    start, horizon = _dates("start", "horizon")
    return select(Rental.vehicle_id, Rental.start_date, Rental.end_date).where(
        Rental.vehicle_id.in_(bindparam("vehicle_ids", expanding=True)),
        overlapping(start, horizon)).order_by(Rental.vehicle_id, Rental.start_date)


def _site_vehicles(platform_id: int, *, start: date, end: date, kind: str | None,
                   site_id: int) -> list[tuple[Vehicle, bool]]:
    """The bookable vehicles of the kind at the site, by plate, each with whether it is free
    for `[start, end)` (one query: the free ones, and the candidates for a later date)."""
    rows = db.session.execute(_site_vehicles_statement(bool(kind)), {
        "platform_id": platform_id, "site_id": site_id, "kind": kind, "start": start,
        "end": end, "today": local_today()})
    return [(vehicle, bool(free)) for vehicle, free in rows]


def _elsewhere(platform_id: int, *, start: date, end: date, kind: str | None,
               site_id: int | None, nearby: list[int] | None,
               limit: int) -> tuple[list[Vehicle], list[Vehicle]]:
    """Up to `limit` vehicles of the kind free at the nearby sites (by distance then plate;
    at any other site, by site then plate, when `nearby` is None), and of fitting kinds free
    at the site."""
    fitting = list(FITTING_KINDS.get(kind, ())) if kind else []
    if site_id and nearby is not None:
        # both lists in one query: the kind at the nearby sites, fitting kinds at the site
        found = list(db.session.scalars(_nearby_or_fitting_statement(bool(kind)), {
            "platform_id": platform_id, "site_id": site_id, "kind": kind, "nearby": nearby,
            "fitting": fitting, "start": start, "end": end, "today": local_today()}))
        rank = {other: i for i, other in enumerate(nearby)}
        other_sites = sorted((v for v in found if v.site_id in rank
                              and (not kind or v.kind == kind)),
                             key=lambda v: (rank[v.site_id], v.plate))
        other_kinds = [v for v in found if v.site_id == site_id and v.kind in fitting]
        return other_sites[:limit], other_kinds[:limit]
    other_sites = free_vehicles(platform_id, start=start, end=end, kind=kind,
                                exclude_site_id=site_id, limit=limit,
                                with_sites=False) if site_id else []
    other_kinds = free_vehicles(platform_id, start=start, end=end, kinds=fitting,
                                site_id=site_id, limit=limit, with_sites=False) if kind else []
    return other_sites, other_kinds


def _alternatives(platform_id: int, *, start: date, end: date, kind: str | None,
                  site_id: int | None, candidates: list[Vehicle] | None,
                  limit: int) -> dict[str, list]:
    """When nothing is free: `_elsewhere`'s vehicles at other sites and of fitting kinds,
    and the kind's vehicles at the site (`candidates` when already read) with the first date
    each is free for as long. Three queries when the site is known."""
    # the platform's sites, read once: every vehicle below finds its site in the session
    sites = list(db.session.scalars(select(Site).where(Site.platform_id == platform_id)))
    nearby = nearest_other_sites(sites, site_id, NEARBY_SITES) if site_id else None
    other_sites, other_kinds = _elsewhere(platform_id, start=start, end=end, kind=kind,
                                          site_id=site_id, nearby=nearby, limit=limit)
    if candidates is None:  # no site: the kind's vehicles anywhere
        query = select(Vehicle).where(Vehicle.platform_id == platform_id,
                                      Vehicle.status.not_in(UNBOOKABLE_STATUSES))
        candidates = list(db.session.scalars(
            query.where(Vehicle.kind == kind) if kind else query))
    later = first_free_dates(candidates, start, (end - start).days)[:limit]
    return {"other_sites": other_sites, "other_kinds": other_kinds, "later": later}


def search_availability(platform_id: int, *, start: date, end: date, kind: str | None = None,
                        site_id: int | None = None, alternatives_limit: int = 5) -> dict:
    """What is free for `[start, end)`; when nothing is, the nearest alternatives.

    Returns `{"vehicles": [...], "alternatives": {"other_sites": [...], "other_kinds": [...],
    "later": [(vehicle, first_free_date), ...]}}` (alternatives empty when vehicles are free;
    see `_alternatives`).
    """
    _validate_period(start, end)
    if kind is not None and kind not in VEHICLE_KINDS:
        raise ValidationFailed(
            details={"kind": _l("This value is not one of the allowed choices.")})
    candidates = None
    if site_id:
        at_site = _site_vehicles(platform_id, start=start, end=end, kind=kind, site_id=site_id)
        vehicles = [vehicle for vehicle, free in at_site if free]
        candidates = [vehicle for vehicle, _free in at_site]
    else:
        vehicles = free_vehicles(platform_id, start=start, end=end, kind=kind)
    if vehicles:
        return {"vehicles": vehicles,
                "alternatives": {"other_sites": [], "other_kinds": [], "later": []}}
    return {"vehicles": [], "alternatives": _alternatives(
        platform_id, start=start, end=end, kind=kind, site_id=site_id, candidates=candidates,
        limit=alternatives_limit)}


def conflicts_for(vehicle_id: int, start: date, end: date,
                  exclude_rental_id: int | None = None) -> list[Rental]:
    """Rentals of the vehicle that overlap `[start, end)`."""
    query = select(Rental).where(Rental.vehicle_id == vehicle_id, overlapping(start, end))
    if exclude_rental_id is not None:
        query = query.where(Rental.id != exclude_rental_id)
    return list(db.session.scalars(query.order_by(Rental.start_date)))


def conflict_details(rentals: list[Rental]) -> dict:
    return {"conflicts": [
        {"rental_id": r.id, "vehicle_id": r.vehicle_id, "start": r.start_date.isoformat(),
         "end": r.end_date.isoformat(), "status": r.status} for r in rentals
    ]}


def double_booking_conflict(vehicle_id: int, start: date, end: date,
                            exclude: int | None) -> Conflict:
    """The 409 for a race lost to the no-overlap constraint, with the rentals in the way."""
    db.session.rollback()
    found = conflicts_for(vehicle_id, start, end, exclude)
    db.session.rollback()
    return Conflict(_l("This vehicle is already booked for part of this period."),
                    code="double_booking", details=conflict_details(found))


def guard_period(vehicle_id: int, start: date, end: date, exclude: int | None = None) -> None:
    """409 `double_booking` when another rental holds the vehicle during `[start, end)`."""
    found = conflicts_for(vehicle_id, start, end, exclude)
    if found:
        raise Conflict(_l("This vehicle is already booked for part of this period."),
                       code="double_booking", details=conflict_details(found))


def book_rental(actor, *, beneficiary_id: int, vehicle_id: int, start: date, end: date,
                notes: str | None = None,
                in_transaction: Callable[[Rental], None] | None = None) -> Rental:
    """Store a booking of a vehicle for `[start, end)`; 409 when it overlaps a rental.
    `in_transaction(rental)` adds what belongs with it (price terms...) in the same
    transaction. The person's and the scheme's rules are `mobility.rentals.lifecycle.book`'s.

    SQLite: the check and the insert run under the write lock (BEGIN IMMEDIATE). PostgreSQL:
    the exclusion constraint refuses the loser of a race, mapped to the same 409.
    """
    platform_id = actor.platform_id
    _validate_period(start, end, new=True)
    vehicle = of_platform(Vehicle, vehicle_id, platform_id, "vehicle_id",
                          _l("This vehicle does not exist."))
    beneficiary_on_platform(beneficiary_id, platform_id)
    if not vehicle.is_bookable:
        raise Conflict(_l("This vehicle cannot be booked: it is %(status)s.",
                          status=VEHICLE_STATUS_LABELS[vehicle.status]),
                       code="vehicle_unavailable", details={"status": vehicle.status})
    try:
        with write_transaction():
            # PostgreSQL: the bookings of one vehicle queue on its row, so that racers never
            # hold each other's locks (a deadlock, then a 503, under load); each then sees the
            # winner's rental and gets the 409. (SQLite's write lock already queues them.)
            db.session.execute(select(Vehicle.id).where(Vehicle.id == vehicle_id)
                               .with_for_update())
            guard_period(vehicle_id, start, end)
            rental = Rental(platform_id=platform_id, vehicle_id=vehicle_id,
                            beneficiary_id=beneficiary_id, start_date=start, end_date=end,
                            advisor_id=getattr(actor, "id", None), notes=notes, status="booked")
            db.session.add(rental)
            db.session.flush()
            if in_transaction is not None:
                in_transaction(rental)
                db.session.flush()
            audit(actor, "create", rental,
                  ["beneficiary_id", "vehicle_id", "start_date", "end_date"])
    except IntegrityError as error:
        if is_exclusion_violation(error):
            raise double_booking_conflict(vehicle_id, start, end, None) from None
        raise
    return rental


def change_end_date(actor, rental: Rental, new_end: date) -> Rental:
    """Extend or shorten an open rental's planned return date."""
    if not rental.is_open:
        raise Conflict(_l("This rental is closed: it cannot change."), code="rental_closed")
    if new_end is None:
        raise ValidationFailed(details={"end": _l("This field is required.")})
    if new_end <= rental.start_date:
        raise ValidationFailed(details={"end": _l("The end date must be after the start date.")})
    if (new_end - rental.start_date).days > MAX_RENTAL_DAYS:
        raise ValidationFailed(details={"end": _l("A rental lasts at most one year.")})
    if rental.status == "in_progress" and new_end < local_today():
        raise ValidationFailed(details={
            "end": _l("The return date cannot be in the past: record the return instead.")})
    if new_end == rental.end_date:
        return rental
    rental_id, vehicle_id, start = rental.id, rental.vehicle_id, rental.start_date
    try:
        with write_transaction():
            rental = db.session.get(Rental, rental_id)
            if new_end > rental.end_date:
                guard_period(vehicle_id, rental.end_date, new_end, rental_id)
            rental.end_date = new_end
            db.session.flush()
            audit(actor, "update", rental, ["end_date"])
    except IntegrityError as error:
        if is_exclusion_violation(error):
            raise double_booking_conflict(vehicle_id, start, new_end, rental_id) from None
        raise
    return rental


def extend_rental(actor, rental: Rental, new_end: date) -> Rental:
    """Push the planned return date later (409 when the vehicle is booked after)."""
    if new_end is not None and new_end <= rental.end_date:
        raise ValidationFailed(details={
            "end": _l("To extend, choose a date after the planned return date.")})
    return change_end_date(actor, rental, new_end)


def shorten_rental(actor, rental: Rental, new_end: date) -> Rental:
    """Bring the planned return date forward."""
    if new_end is not None and new_end >= rental.end_date:
        raise ValidationFailed(details={
            "end": _l("To shorten, choose a date before the planned return date.")})
    return change_end_date(actor, rental, new_end)


def cancel_rental(actor, rental: Rental) -> Rental:
    """Cancel a booking not yet handed over; its period is free again."""
    if rental.status != "booked":
        raise Conflict(_l("Only a booking not yet handed over can be cancelled."),
                       code="rental_not_cancellable")
    rental.status = "cancelled"
    rental.cancelled_at = utcnow()
    audit(actor, "update", rental, ["status"])
    db.session.commit()
    return rental


def set_mileage_allowance(rental: Rental, km: float | None) -> Rental:
    """Record the daily mileage allowance (120 % of the home-work round trip), in km."""
    if km is not None and km < 0:
        raise ValidationFailed(
            details={"daily_mileage_allowance_km": _l("This number is too small.")})
    rental.daily_mileage_allowance_km = None if km is None else round(float(km), 1)
    db.session.commit()
    return rental
