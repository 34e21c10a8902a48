"""The returns board: the return slot, vehicles out by bucket (overdue, today, this week)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from fleet.models import Inspection, Rental, Site, Vehicle
from fleet.services.common import audit, of_platform
from mobility.core.columns import utcnow
from mobility.core.dates import PARIS, local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l


def schedule_return(actor, rental: Rental, *, site_id: int, slot_at: datetime) -> Rental:
    """Fix the time and site where the vehicle comes back."""
    if not rental.is_open:
        raise Conflict(_l("This rental is closed: it cannot change."), code="rental_closed")
    site = of_platform(Site, site_id, rental.platform_id, "site_id",
                       _l("This site does not exist."))
    if slot_at is None:
        raise ValidationFailed(details={"slot_at": _l("This field is required.")})
    if slot_at.tzinfo is None:
        slot_at = slot_at.replace(tzinfo=PARIS)
    if slot_at.astimezone(UTC) < utcnow() - timedelta(minutes=5):
        raise ValidationFailed(details={"slot_at": _l("The slot cannot be in the past.")})
    rental.return_site_id = site.id
    rental.return_slot_at = slot_at.astimezone(UTC)
    audit(actor, "update", rental, ["return_site_id", "return_slot_at"])
    db.session.commit()
    return rental


#: the returns board's buckets, in the board's order
RETURN_BUCKETS = ("overdue", "today", "week")
#: "this week" on the returns board: due back within the next 6 days
RETURN_WEEK_DAYS = 6


def return_bucket(rental: Rental, day: date) -> str:
    """Which bucket of the returns board a vehicle out falls in on `day`."""
    if rental.end_date < day:
        return "overdue"
    return "today" if rental.end_date == day else "week"


def returns_query(platform_id: int, day: date, buckets: Iterable[str] = RETURN_BUCKETS):
    """The select of vehicles out in `buckets` (overdue, due back today, within 6 days), in
    the board's order once sorted by (end_date, id); the board's rows' relations eager-loaded."""
    buckets = set(buckets)
    ends = []
    if "overdue" in buckets:
        ends.append(Rental.end_date < day)
    if "today" in buckets:
        ends.append(Rental.end_date == day)
    if "week" in buckets:
        ends.append(and_(Rental.end_date > day,
                         Rental.end_date <= day + timedelta(days=RETURN_WEEK_DAYS)))
    return (select(Rental).where(Rental.platform_id == platform_id,
                                 Rental.status == "in_progress", or_(*ends) if ends else False)
            .options(joinedload(Rental.vehicle).joinedload(Vehicle.site),
                     joinedload(Rental.beneficiary), joinedload(Rental.advisor),
                     joinedload(Rental.return_site),
                     # the API's rows show each rental's inspections and their photos
                     selectinload(Rental.inspections).selectinload(Inspection.photos))
            .order_by(Rental.end_date, Rental.id))


def returns_counts(platform_id: int, day: date | None = None) -> dict[str, int]:
    """How many vehicles are in each bucket of the returns board, in one query."""
    day = day or local_today()
    bucket = case((Rental.end_date < day, "overdue"), (Rental.end_date == day, "today"),
                  else_="week")
    rows = db.session.execute(
        select(bucket, func.count()).where(
            Rental.platform_id == platform_id, Rental.status == "in_progress",
            Rental.end_date <= day + timedelta(days=RETURN_WEEK_DAYS)).group_by(bucket)).all()
    counts = dict.fromkeys(RETURN_BUCKETS, 0)
    counts.update({name: n for name, n in rows})
    return counts


def returns_board(platform_id: int, day: date | None = None) -> dict[str, list[Rental]]:
    """Vehicles out: overdue, due back today, due back within the next 6 days (every row:
    for the scheduler's reminders; pages show them a page at a time)."""
    day = day or local_today()
    board: dict[str, list[Rental]] = {name: [] for name in RETURN_BUCKETS}
    for rental in db.session.scalars(returns_query(platform_id, day)):
        board[return_bucket(rental, day)].append(rental)
    return board
