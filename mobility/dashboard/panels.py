"""Role dashboard panels that belong to no other feature: the advisor's day (checkpoints,
arrears, rentals ending, flags, quick search), the fleet manager's overview (vehicles by status
and site, maintenance due, immobilisations and their replacements) and the admin's counts.

Every panel runs a fixed number of aggregate or eager-loaded queries, whatever the number of
rentals or vehicles (no query per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import joinedload

from fleet import services as fleet
from fleet.models import OPEN_RENTALS_SQL, VEHICLE_STATUS_LABELS, Rental, Site, Vehicle
from mobility.audit.models import AuditEvent
from mobility.auth.models import User
from mobility.checkpoints.models import Checkpoint
from mobility.checkpoints.services import default_next_date
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db, id_in
from mobility.core.roles import ADMIN, ADVISOR, FLEET_MANAGER
from mobility.organisations.models import PartnerOrganisation
from mobility.payments.services import due_by_rental, paid_by_rental
from mobility.people.models import Beneficiary
from mobility.pricing.models import Tariff
from mobility.scheduling.models import JobRun
from mobility.scheduling.registry import all_jobs
from mobility.web.panels import dashboard_panel

#: at most this many rows per list on a dashboard (the linked page shows the rest)
LIST_LIMIT = 8
#: "this week": the next 7 days after today
WEEK_DAYS = 7
#: rentals ending within this many days
ENDING_DAYS = 7


def _today() -> date:
    return local_today()


@dataclass
class RentalLine:
    """One open rental as the advisor's dashboard sees it."""

    rental: Rental
    next_checkpoint: date | None
    arrears_cents: int
    over_allowance: bool
    return_overdue: bool
    checkpoint_overdue: bool


#: what the day's lists show of a person and price an unfixed rental with (the whole record
#: is a few kilobytes a row, read for hundreds of rentals on each view)
_PERSON_COLUMNS = (Beneficiary.first_name, Beneficiary.last_name, Beneficiary.platform_id,
                   Beneficiary.receives_rsa, Beneficiary.lives_in_qpv,
                   Beneficiary.resources_band)


def _open_rentals(user, today: date) -> list[Rental]:
    """Rentals out, or booked to have started by today: a rental booked for later owes nothing
    and has no checkpoint yet, so it appears on no list of the day (and a platform books
    months ahead: loading those would grow the page with the years). Two index range reads
    (vehicles out; open rentals started by today, through the partial index), not a scan of
    the platform's history."""
    open_ = text(f"fleet_rentals.{OPEN_RENTALS_SQL}")  # the partial indexes' condition
    out = select(Rental).where(Rental.platform_id == user.platform_id, open_,
                               Rental.status == "in_progress")
    started = select(Rental).where(Rental.platform_id == user.platform_id, open_,
                                   Rental.start_date <= today, Rental.status == "booked")
    rentals: list[Rental] = []
    for query in (out, started):
        if user.role == ADVISOR:  # mine, and those nobody follows yet
            query = query.where(or_(Rental.advisor_id == user.id, Rental.advisor_id.is_(None)))
        rentals += db.session.scalars(query.options(
            joinedload(Rental.vehicle), joinedload(Rental.beneficiary).load_only(
                *_PERSON_COLUMNS))).unique()
    return sorted(rentals, key=lambda r: (r.end_date, r.id))


def _latest_checkpoints(rental_ids: list[int]) -> dict[int, object]:
    """The last checkpoint of each rental, in one query."""
    if not rental_ids:
        return {}
    ranked = (select(Checkpoint.id, func.row_number().over(
        partition_by=Checkpoint.rental_id,
        order_by=(Checkpoint.date.desc(), Checkpoint.id.desc())).label("rank"))
        .where(id_in(Checkpoint.rental_id, rental_ids)).subquery())
    rows = db.session.scalars(select(Checkpoint).join(ranked, and_(
        ranked.c.id == Checkpoint.id, ranked.c.rank == 1)))
    return {c.rental_id: c for c in rows}


def advisor_lines(user, today: date | None = None) -> list[RentalLine]:
    """The open rentals the advisor follows, with their next checkpoint, arrears and flags."""
    today = today or _today()
    rentals = _open_rentals(user, today)
    ids = [r.id for r in rentals]
    latest = _latest_checkpoints(ids)
    paid = paid_by_rental(ids)
    due = due_by_rental(rentals, today)
    lines = []
    for rental in rentals:
        last = latest.get(rental.id)
        owed, scheme = due.get(rental.id, (0, "bougez"))
        if last is not None:
            upcoming = last.next_date
        else:
            upcoming = default_next_date("monthly" if scheme == "amie" else "weekly",
                                         rental.start_date)
        in_progress = rental.status == "in_progress"
        lines.append(RentalLine(
            rental=rental, next_checkpoint=upcoming,
            arrears_cents=max(0, owed - paid.get(rental.id, 0)),
            over_allowance=bool(last is not None and last.over_allowance),
            return_overdue=in_progress and rental.end_date < today,
            checkpoint_overdue=in_progress and upcoming is not None and upcoming < today,
        ))
    return lines


def _first(items: list) -> tuple[list, int]:
    """The first `LIST_LIMIT` items, and how many more there are."""
    return items[:LIST_LIMIT], max(0, len(items) - LIST_LIMIT)


def _checkpoint_lists(lines: list[RentalLine], today: date
                      ) -> tuple[list[RentalLine], list[RentalLine]]:
    """Rentals out with a checkpoint today, and those with one later this week."""
    week_end = today + timedelta(days=WEEK_DAYS)
    by_checkpoint = sorted((x for x in lines if x.next_checkpoint is not None
                            and x.rental.status == "in_progress"),
                           key=lambda x: (x.next_checkpoint, x.rental.id))
    return ([x for x in by_checkpoint if x.next_checkpoint == today],
            [x for x in by_checkpoint if today < x.next_checkpoint <= week_end])


def _ending(lines: list[RentalLine], today: date) -> list[RentalLine]:
    """Rentals out whose end date is within `ENDING_DAYS`."""
    return [x for x in lines if x.rental.status == "in_progress"
            and today <= x.rental.end_date <= today + timedelta(days=ENDING_DAYS)]


@dashboard_panel(ADVISOR)
def advisor_day(user) -> dict | None:
    """Today's and this week's checkpoints, arrears, rentals ending, flags, a search box."""
    today = _today()
    lines = advisor_lines(user, today)
    checkpoints_today, checkpoints_week = _checkpoint_lists(lines, today)
    arrears = sorted((x for x in lines if x.arrears_cents > 0),
                     key=lambda x: -x.arrears_cents)
    flags = [x for x in lines if x.over_allowance or x.return_overdue or x.checkpoint_overdue]
    return {
        "template": "dashboard/_advisor_day.html", "today": today,
        "checkpoints_today": _first(checkpoints_today),
        "checkpoints_week": _first(checkpoints_week),
        "arrears": _first(arrears), "arrears_total": sum(x.arrears_cents for x in arrears),
        "ending": _first(_ending(lines, today)), "flags": _first(flags),
    }


@dashboard_panel(FLEET_MANAGER)
def fleet_overview(user) -> dict:
    """Vehicles by status and site, maintenance due, immobilised vehicles with the rentals they
    break (their replacement proposals are on the linked page)."""
    rows = db.session.execute(
        select(Site.id, Site.name, Vehicle.status, func.count(Vehicle.id))
        .join(Vehicle, Vehicle.site_id == Site.id)
        .where(Site.platform_id == user.platform_id, Vehicle.platform_id == user.platform_id)
        .group_by(Site.id, Site.name, Vehicle.status).order_by(Site.name)).all()
    sites: dict[int, dict] = {}
    for site_id, name, status, count in rows:
        entry = sites.setdefault(site_id, {"name": name, "counts": {}})
        entry["counts"][status] = count
    statuses = [s for s in VEHICLE_STATUS_LABELS if any(s in e["counts"] for e in sites.values())]
    today = _today()
    broken = (select(Rental.vehicle_id, func.count(Rental.id).label("n"))
              .where(Rental.platform_id == user.platform_id,
                     Rental.status.in_(("booked", "in_progress")), Rental.end_date > today)
              .group_by(Rental.vehicle_id).subquery())
    immobilised = db.session.execute(
        select(Vehicle, func.coalesce(broken.c.n, 0))
        .outerjoin(broken, broken.c.vehicle_id == Vehicle.id)
        .where(Vehicle.platform_id == user.platform_id, Vehicle.status == "immobilised")
        .options(joinedload(Vehicle.site)).order_by(Vehicle.plate)).all()
    due = fleet.maintenance_due(user.platform_id, within_days=14)
    return {
        "template": "dashboard/_fleet_overview.html", "sites": list(sites.values()),
        "statuses": [(s, VEHICLE_STATUS_LABELS[s]) for s in statuses],
        "immobilised": immobilised, "maintenance": due[:LIST_LIMIT],
        "maintenance_more": max(0, len(due) - LIST_LIMIT), "today": today,
    }


@dashboard_panel(ADMIN)
def admin_counts(user) -> dict:
    """Users, partner organisations, tariffs, scheduled jobs and the audit log, with links."""
    platform_id = user.platform_id
    since = utcnow() - timedelta(days=7)

    def count(query):
        return db.session.scalar(query) or 0

    users = dict(db.session.execute(
        select(User.active, func.count(User.id)).where(User.platform_id == platform_id)
        .group_by(User.active)).all())
    return {
        "template": "dashboard/_admin_counts.html",
        "users_active": users.get(True, 0), "users_inactive": users.get(False, 0),
        "organisations": count(select(func.count(PartnerOrganisation.id)).where(
            PartnerOrganisation.platform_id == platform_id)),
        "tariffs": count(select(func.count(Tariff.id)).where(Tariff.platform_id == platform_id)),
        "jobs": len(all_jobs()),
        "job_errors": count(select(func.count(JobRun.id)).where(
            JobRun.status == "error", JobRun.started_at >= since)),
        "audit_week": count(select(func.count(AuditEvent.id)).where(
            AuditEvent.platform_id == platform_id, AuditEvent.at >= since)),
    }
