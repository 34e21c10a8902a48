"""The fleet's lists (rentals, vehicles) as filtered, keyset-paginated queries: one home for the
filters the page and the API share, so that both show the same rows in the same order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import request
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import joinedload, selectinload

from fleet.models import (
    OPEN_RENTALS_SQL,
    RENTAL_STATUS_LABELS,
    RENTAL_STATUSES,
    VEHICLE_KIND_LABELS,
    Rental,
    Vehicle,
)
from mobility.auth.policies import scoped
from mobility.core.translations import gettext as _
from mobility.pagination import PAGE_SIZE, Page, paginate
from mobility.people.models import Beneficiary

#: the rentals list's default: what is out or booked (history on demand)
OPEN_STATUSES = ("booked", "in_progress")
RENTAL_LIST_STATUSES = ("open", *RENTAL_STATUSES, "all")


@dataclass
class RentalFilters:
    """What a user filters the rentals on (None: any)."""

    status: str = "open"
    site_id: int | None = None
    kind: str | None = None
    start_from: date | None = None
    start_to: date | None = None
    q: str | None = None


def rental_filters_from_args() -> RentalFilters:
    """The rentals list's filters from the query string (unknown values: ignored)."""
    filters = RentalFilters(
        status=request.args.get("status") or "open",
        site_id=request.args.get("site_id", type=int),
        kind=request.args.get("kind") or None,
        start_from=request.args.get("start_from", type=date.fromisoformat),
        start_to=request.args.get("start_to", type=date.fromisoformat),
        q=(request.args.get("q") or "").strip()[:100] or None)
    if filters.status not in RENTAL_LIST_STATUSES:
        filters.status = "open"
    return filters


def rental_status_choices() -> list[tuple[str, str]]:
    """The rentals list's status filter: open ones (the default), each status, everything."""
    return [("open", _("Open (booked or in progress)")),
            *((key, str(label)) for key, label in RENTAL_STATUS_LABELS.items()),
            ("all", _("All, history included"))]


def _like(text: str) -> str:
    # the user's % and _ are letters, not wildcards
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def rental_page(user, filters: RentalFilters, *, cursor: str | None,
                limit: int = PAGE_SIZE, eager=()) -> Page:
    """One page of the user's platform's rentals matching `filters`: open ones by start date
    (oldest first: the ones to act on), history newest first; vehicle, site and person loaded
    in the same query."""
    query = scoped(Rental, user).options(
        joinedload(Rental.vehicle).joinedload(Vehicle.site), joinedload(Rental.beneficiary),
        *eager)
    status = filters.status if filters.status in RENTAL_LIST_STATUSES else "open"
    if status == "open":
        query = query.where(text(f"fleet_rentals.{OPEN_RENTALS_SQL}"))
    elif status != "all":
        query = query.where(Rental.status == status)
    if filters.site_id or filters.kind in VEHICLE_KIND_LABELS:
        vehicles = select(Vehicle.id).where(Vehicle.platform_id == user.platform_id)
        if filters.site_id:
            vehicles = vehicles.where(Vehicle.site_id == filters.site_id)
        if filters.kind in VEHICLE_KIND_LABELS:
            vehicles = vehicles.where(Vehicle.kind == filters.kind)
        query = query.where(Rental.vehicle_id.in_(vehicles))
    if filters.start_from:
        query = query.where(Rental.start_date >= filters.start_from)
    if filters.start_to:
        query = query.where(Rental.start_date <= filters.start_to)
    if filters.q and filters.q.strip():
        like = _like(filters.q)
        people = select(Beneficiary.id).where(
            Beneficiary.platform_id == user.platform_id,
            or_(func.lower(Beneficiary.first_name + " " + Beneficiary.last_name)
                .like(like, escape="\\"),
                func.lower(Beneficiary.last_name + " " + Beneficiary.first_name)
                .like(like, escape="\\")))
        plates = select(Vehicle.id).where(Vehicle.platform_id == user.platform_id,
                                          func.lower(Vehicle.plate).like(like, escape="\\"))
        query = query.where(or_(Rental.beneficiary_id.in_(people),
                                Rental.vehicle_id.in_(plates)))
    return paginate(query, (Rental.start_date, Rental.id), cursor=cursor, limit=limit,
                    descending=status not in ("open", "booked", "in_progress"))


@dataclass
class VehicleFilters:
    """What a user filters the vehicles on (None: any)."""

    kind: str | None = None
    site_id: int | None = None
    status: str | None = None
    q: str | None = None


def vehicle_page(user, filters: VehicleFilters, *, cursor: str | None,
                 limit: int = PAGE_SIZE, photos: bool = False) -> Page:
    """One page of the platform's vehicles by plate, with their site (and photos for the
    API) loaded in one or two queries."""
    query = scoped(Vehicle, user).options(joinedload(Vehicle.site))
    if photos:
        query = query.options(selectinload(Vehicle.photos))
    if filters.kind in VEHICLE_KIND_LABELS:
        query = query.where(Vehicle.kind == filters.kind)
    if filters.site_id:
        query = query.where(Vehicle.site_id == filters.site_id)
    if filters.status:
        query = query.where(Vehicle.status == filters.status)
    if filters.q and filters.q.strip():
        like = _like(filters.q)
        query = query.where(or_(func.lower(Vehicle.plate).like(like, escape="\\"),
                                func.lower(func.coalesce(Vehicle.label, ""))
                                .like(like, escape="\\")))
    return paginate(query, (Vehicle.plate, Vehicle.id), cursor=cursor, limit=limit)
