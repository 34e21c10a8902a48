"""Role dashboard panels that no feature package registers: the advisor's day (checkpoints,
arrears, rentals ending, flags, quick search), the fleet manager's overview (vehicles by status
and site, maintenance due, immobilisations and their replacements) and the admin's counts.

Every panel runs a fixed number of aggregate or eager-loaded queries, whatever the number of
rentals or vehicles (no query per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from fleet.models import VEHICLE_STATUS_LABELS, Rental, Site, Vehicle
from mobility.auth.roles import ADMIN, ADVISOR, FLEET_MANAGER
from mobility.dashboard.views import dashboard_panel
from mobility.db_types import utcnow
from mobility.extensions import db

#: at most this many rows per list on a dashboard (the linked page shows the rest)
LIST_LIMIT = 8
#: "this week": the next 7 days after today
WEEK_DAYS = 7
#: rentals ending within this many days
ENDING_DAYS = 7


def _today() -> date:
    from fleet.services import today

    return today()


@dataclass
class RentalLine:
    """One open rental as the advisor's dashboard sees it."""

    rental: Rental
    next_checkpoint: date | None
    arrears_cents: int
    over_allowance: bool
    return_overdue: bool
    checkpoint_overdue: bool


def _open_rentals(user) -> list[Rental]:
    query = (select(Rental)
             .where(Rental.platform_id == user.platform_id,
                    Rental.status.in_(("booked", "in_progress")))
             .options(joinedload(Rental.vehicle), joinedload(Rental.beneficiary))
             .order_by(Rental.end_date, Rental.id))
    if user.role == ADVISOR:  # mine, and those nobody follows yet
        query = query.where(or_(Rental.advisor_id == user.id, Rental.advisor_id.is_(None)))
    return list(db.session.scalars(query).unique())


def _latest_checkpoints(rental_ids: list[int]) -> dict[int, object]:
    """The last checkpoint of each rental, in one query."""
    from mobility.checkpoints.models import Checkpoint

    if not rental_ids:
        return {}
    ranked = (select(Checkpoint.id, func.row_number().over(
        partition_by=Checkpoint.rental_id,
        order_by=(Checkpoint.date.desc(), Checkpoint.id.desc())).label("rank"))
        .where(Checkpoint.rental_id.in_(rental_ids)).subquery())
    rows = db.session.scalars(select(Checkpoint).join(ranked, and_(
        ranked.c.id == Checkpoint.id, ranked.c.rank == 1)))
    return {c.rental_id: c for c in rows}


def _paid_by_rental(rental_ids: list[int]) -> dict[int, int]:
    from mobility.payments.models import Payment

    if not rental_ids:
        return {}
    return dict(db.session.execute(
        select(Payment.rental_id, func.sum(Payment.amount_cents))
        .where(Payment.rental_id.in_(rental_ids), Payment.status == "succeeded")
        .group_by(Payment.rental_id)).all())


def _due_by_rental(rentals: list[Rental], today: date) -> dict[int, tuple[int, str]]:
    """What each rental owes by today under its terms (instalments due), computed in memory
    from its terms; a rental whose price is not fixed yet is priced as `ensure_terms` would
    fix it (tariff in force on its start date, the person's situation), without writing."""
    from mobility.pricing.engine import QuoteError, Situation, TariffRates, quote
    from mobility.pricing.models import RentalTerms, Tariff

    if not rentals:
        return {}
    terms = {t.rental_id: t for t in db.session.scalars(select(RentalTerms).where(
        RentalTerms.rental_id.in_([r.id for r in rentals])))}
    tariffs: list[Tariff] | None = None
    memberships: dict[int, list[date]] | None = None
    due: dict[int, tuple[int, str]] = {}
    for rental in rentals:
        item = terms.get(rental.id)
        if item is not None:
            rates, scheme = item.tariff_rates(), item.scheme
            situation = Situation(receives_rsa=item.receives_rsa,
                                  lives_in_qpv=item.lives_in_qpv,
                                  resources_band=item.resources_band,
                                  membership_due=item.membership_due)
        else:
            if tariffs is None:
                tariffs = list(db.session.scalars(select(Tariff).where(
                    Tariff.platform_id == rental.platform_id)))
                memberships = _membership_starts([r.beneficiary_id for r in rentals])
            tariff = next((t for t in tariffs if t.covers(rental.start_date)), None)
            rates = tariff.tariff_rates() if tariff else TariffRates()
            scheme = "bougez"
            person = rental.beneficiary
            since = rental.start_date - timedelta(days=365)
            charged = any(since < day <= rental.start_date
                          for day in memberships.get(rental.beneficiary_id, ()))
            situation = Situation(receives_rsa=bool(person.receives_rsa),
                                  lives_in_qpv=bool(person.lives_in_qpv),
                                  resources_band=person.resources_band,
                                  membership_due=not charged)
        try:
            result = quote(rates, kind=rental.vehicle.kind, start=rental.start_date,
                           end=rental.end_date, scheme=scheme, situation=situation)
        except QuoteError:
            continue
        due[rental.id] = (sum(i.amount_cents for i in result.instalments
                              if i.due_date <= today), scheme)
    return due


def _membership_starts(beneficiary_ids: list[int]) -> dict[int, list[date]]:
    """Start dates of each person's rentals that charged the membership fee (one query)."""
    from mobility.pricing.models import RentalTerms

    starts: dict[int, list[date]] = {}
    for person_id, start in db.session.execute(
            select(Rental.beneficiary_id, Rental.start_date)
            .join(RentalTerms, RentalTerms.rental_id == Rental.id)
            .where(Rental.beneficiary_id.in_(set(beneficiary_ids)),
                   RentalTerms.membership_due.is_(True), Rental.status != "cancelled")):
        starts.setdefault(person_id, []).append(start)
    return starts


def advisor_lines(user, today: date | None = None) -> list[RentalLine]:
    """The open rentals the advisor follows, with their next checkpoint, arrears and flags."""
    from mobility.checkpoints.services import default_next_date

    today = today or _today()
    rentals = _open_rentals(user)
    ids = [r.id for r in rentals]
    latest = _latest_checkpoints(ids)
    paid = _paid_by_rental(ids)
    due = _due_by_rental(rentals, today)
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


@dashboard_panel(ADVISOR)
def advisor_day(user) -> dict | None:
    """Today's and this week's checkpoints, arrears, rentals ending, flags, a search box."""
    today = _today()
    lines = advisor_lines(user, today)
    week_end = today + timedelta(days=WEEK_DAYS)

    def first(items):
        return items[:LIST_LIMIT], max(0, len(items) - LIST_LIMIT)

    by_checkpoint = sorted((x for x in lines if x.next_checkpoint is not None
                            and x.rental.status == "in_progress"),
                           key=lambda x: (x.next_checkpoint, x.rental.id))
    checkpoints_today = [x for x in by_checkpoint if x.next_checkpoint == today]
    checkpoints_week = [x for x in by_checkpoint if today < x.next_checkpoint <= week_end]
    arrears = sorted((x for x in lines if x.arrears_cents > 0),
                     key=lambda x: -x.arrears_cents)
    ending = [x for x in lines if x.rental.status == "in_progress"
              and today <= x.rental.end_date <= today + timedelta(days=ENDING_DAYS)]
    flags = [x for x in lines if x.over_allowance or x.return_overdue or x.checkpoint_overdue]
    return {
        "template": "dashboard/_advisor_day.html", "today": today,
        "checkpoints_today": first(checkpoints_today),
        "checkpoints_week": first(checkpoints_week),
        "arrears": first(arrears), "arrears_total": sum(x.arrears_cents for x in arrears),
        "ending": first(ending), "flags": first(flags),
    }


@dashboard_panel(FLEET_MANAGER)
def fleet_overview(user) -> dict:
    """Vehicles by status and site, maintenance due, immobilised vehicles with the rentals they
    break (their replacement proposals are on the linked page)."""
    from fleet import services as fleet

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
    from mobility.audit.models import AuditEvent
    from mobility.auth.models import User
    from mobility.organisations.models import PartnerOrganisation
    from mobility.pricing.models import Tariff
    from mobility.scheduling.models import JobRun
    from mobility.scheduling.registry import all_jobs

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
