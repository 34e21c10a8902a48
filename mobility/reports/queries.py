"""The figures of an activity report, each from one aggregate SQL query (GROUP BY).

Every function takes the platform ids and the period `[start, end]` (dates, both included) and
returns plain data (dicts, lists). Python only loops over the *aggregated* rows (a handful per
query), never over the big tables, with one documented exception: amounts invoiced, which come
from the pricing engine (the single source of the price rules) for the rentals of the period,
read in one query.

Definitions (also in docs/reports.md):

- *people met*: people with a pathway open at some time in the period;
- *age band*: the age reached in the period's last year (`end.year - birth year`), so that it
  survives anonymisation (which keeps the birth year only);
- *actions*: coaching, workshops and partner referrals are pathway actions done in the period;
  rentals are fleet rentals (not cancelled) starting in the period; carpool and minibus are
  seats booked for a date in the period;
- *rental days*: days of rentals (not cancelled) inside the period; *occupancy* is rental days
  over (vehicles not retired x days of the period);
- *mobility potential*: entry average of the entry assessments done in the period; entry, exit
  and gain averages over the pathways exited in the period with both assessments;
- *exits*: pathways whose exit date is in the period; a *lasting solution* is an exit solution
  other than "none";
- *invoiced*: the instalments of rentals falling due in the period; *paid*: payments succeeded
  with a payment date in the period; *outstanding*: for the rentals of the period, what fell due
  up to the period's end less what was paid up to then (never negative per rental).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, literal, or_, select
from sqlalchemy.orm import aliased

from fleet.models import MinibusBooking, MinibusRun, Rental, SeatBooking, Site, Vehicle
from mobility.commute.models import CommuteCheck
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation
from mobility.people.ladder import LEVELS, normalise
from mobility.people.models import (
    Beneficiary,
    MobilityAssessment,
    Pathway,
    PathwayAction,
    Referral,
)

PARIS = ZoneInfo("Europe/Paris")
AGE_BANDS = ("under_26", "26_44", "45_54", "55_plus", "unknown")
GENDER_CODES = ("female", "male", "other", "unspecified")
#: pathway action kinds counted from the people side (the others come from the fleet tables)
PEOPLE_ACTION_KINDS = ("coaching", "workshop", "partner_referral")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def least(a, b):
    return func.least(a, b) if _dialect() == "postgresql" else func.min(a, b)


def greatest(a, b):
    return func.greatest(a, b) if _dialect() == "postgresql" else func.max(a, b)


def days_between(first, last):
    """Whole days from date `first` to date `last` (SQL expression, both dialects)."""
    if _dialect() == "postgresql":
        return last - first
    return func.cast(func.julianday(last) - func.julianday(first), db.Integer)


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as UTC instants: Paris midnight of `start` to Paris midnight after `end`."""
    low = datetime.combine(start, time(0), PARIS).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), PARIS).astimezone(UTC)
    return low, high


def referrals_by_organisation(platform_ids: list[int], start: date, end: date) -> list[dict]:
    """Referrals received in the period, per partner organisation, with their decisions."""
    low, high = utc_bounds(start, end)
    org = PartnerOrganisation
    rows = db.session.execute(
        select(org.id, org.name, org.kind, func.count(Referral.id),
               func.sum(case((Referral.status == "accepted", 1), else_=0)),
               func.sum(case((Referral.status == "declined", 1), else_=0)),
               func.sum(case((Referral.status == "submitted", 1), else_=0)))
        .join(org, org.id == Referral.organisation_id)
        .where(Referral.platform_id.in_(platform_ids), Referral.created_at >= low,
               Referral.created_at < high)
        .group_by(org.id, org.name, org.kind)
        .order_by(func.count(Referral.id).desc(), org.name)
    ).all()
    return [{"organisation_id": r[0], "organisation": r[1], "kind": r[2], "received": r[3],
             "accepted": int(r[4] or 0), "declined": int(r[5] or 0), "waiting": int(r[6] or 0)}
            for r in rows]


def _pathways_in_period(platform_ids: list[int], start: date, end: date):
    return (select(Pathway.beneficiary_id)
            .where(Pathway.platform_id.in_(platform_ids), Pathway.opened_on <= end,
                   or_(Pathway.exit_date.is_(None), Pathway.exit_date >= start))
            .distinct())


def age_band_expression(end: date):
    """CASE expression: the age band from the birth year, as of the period's last year."""
    def born_from(years: int) -> date:
        return date(end.year - years, 1, 1)

    return case(
        (Beneficiary.birth_date.is_(None), literal("unknown")),
        (Beneficiary.birth_date >= born_from(25), literal("under_26")),
        (Beneficiary.birth_date >= born_from(44), literal("26_44")),
        (Beneficiary.birth_date >= born_from(54), literal("45_54")),
        else_=literal("55_plus"),
    )


def people_met(platform_ids: list[int], start: date, end: date) -> dict:
    """People with a pathway open in the period: totals, by gender, by age band, QPV, RSA."""
    met = _pathways_in_period(platform_ids, start, end).subquery()
    band = age_band_expression(end).label("band")
    gender = func.coalesce(Beneficiary.gender, "unspecified").label("gender")
    rows = db.session.execute(
        select(gender, band, func.count(Beneficiary.id),
               func.sum(case((Beneficiary.lives_in_qpv.is_(True), 1), else_=0)),
               func.sum(case((Beneficiary.receives_rsa.is_(True), 1), else_=0)))
        .join(met, met.c.beneficiary_id == Beneficiary.id)
        .group_by(gender, band)
    ).all()
    by_gender = {code: 0 for code in GENDER_CODES}
    by_age = {code: 0 for code in AGE_BANDS}
    total = qpv = rsa = 0
    for gender_code, band_code, count, in_qpv, on_rsa in rows:
        by_gender[gender_code] = by_gender.get(gender_code, 0) + count
        by_age[band_code] = by_age.get(band_code, 0) + count
        total += count
        qpv += int(in_qpv or 0)
        rsa += int(on_rsa or 0)
    opened = db.session.scalar(
        select(func.count(distinct(Pathway.beneficiary_id)))
        .where(Pathway.platform_id.in_(platform_ids), Pathway.opened_on >= start,
               Pathway.opened_on <= end))
    return {"total": total, "new": int(opened or 0), "by_gender": by_gender,
            "by_age_band": by_age, "qpv_residents": qpv, "rsa_recipients": rsa}


def actions(platform_ids: list[int], start: date, end: date) -> dict:
    """Actions set up in the period, by kind (rentals by vehicle kind), with people reached."""
    rows = db.session.execute(
        select(PathwayAction.kind, func.count(PathwayAction.id),
               func.count(distinct(Pathway.beneficiary_id)))
        .join(Pathway, Pathway.id == PathwayAction.pathway_id)
        .where(PathwayAction.platform_id.in_(platform_ids), PathwayAction.done_on >= start,
               PathwayAction.done_on <= end, PathwayAction.kind.in_(PEOPLE_ACTION_KINDS))
        .group_by(PathwayAction.kind)
    ).all()
    by_kind = {kind: {"count": 0, "people": 0} for kind in PEOPLE_ACTION_KINDS}
    for kind, count, people in rows:
        by_kind[kind] = {"count": count, "people": people}

    rentals = db.session.execute(
        select(Vehicle.kind, func.count(Rental.id), func.count(distinct(Rental.beneficiary_id)))
        .join(Vehicle, Vehicle.id == Rental.vehicle_id)
        .where(Rental.platform_id.in_(platform_ids), Rental.status != "cancelled",
               Rental.start_date >= start, Rental.start_date <= end)
        .group_by(Vehicle.kind)
    ).all()
    rentals_by_kind = {kind: {"count": count, "people": people}
                       for kind, count, people in rentals}

    carpool = db.session.execute(
        select(func.count(SeatBooking.id), func.count(distinct(SeatBooking.beneficiary_id)))
        .where(SeatBooking.platform_id.in_(platform_ids), SeatBooking.status == "booked",
               SeatBooking.ride_date >= start, SeatBooking.ride_date <= end)
    ).one()
    minibus = db.session.execute(
        select(func.count(MinibusBooking.id), func.count(distinct(MinibusBooking.beneficiary_id)))
        .join(MinibusRun, MinibusRun.id == MinibusBooking.run_id)
        .where(MinibusBooking.platform_id.in_(platform_ids), MinibusBooking.status == "booked",
               MinibusRun.run_date >= start, MinibusRun.run_date <= end)
    ).one()

    partners = db.session.execute(
        select(PartnerOrganisation.name, func.count(PathwayAction.id))
        .join(PartnerOrganisation, PartnerOrganisation.id == PathwayAction.partner_organisation_id)
        .where(PathwayAction.platform_id.in_(platform_ids), PathwayAction.done_on >= start,
               PathwayAction.done_on <= end, PathwayAction.kind == "partner_referral")
        .group_by(PartnerOrganisation.name)
        .order_by(func.count(PathwayAction.id).desc(), PartnerOrganisation.name)
    ).all()
    return {
        "coaching": by_kind["coaching"],
        "workshop": by_kind["workshop"],
        "rentals_by_vehicle_kind": rentals_by_kind,
        "rental": {"count": sum(v["count"] for v in rentals_by_kind.values()),
                   "people": sum(v["people"] for v in rentals_by_kind.values())},
        "carpool": {"count": carpool[0], "people": carpool[1]},
        "minibus": {"count": minibus[0], "people": minibus[1]},
        "partner_referral": by_kind["partner_referral"],
        "partner_referrals_by_organisation": [{"organisation": n, "count": c}
                                              for n, c in partners],
    }


def fleet_occupancy(platform_ids: list[int], start: date, end: date) -> list[dict]:
    """Rental days in the period and occupancy, per vehicle kind and site."""
    after = end + timedelta(days=1)
    period_days = (after - start).days
    days = days_between(greatest(Rental.start_date, start), least(Rental.end_date, after))
    # summed per vehicle first, as the rentals come vehicle after vehicle from its index:
    # only the vehicles' sums are then sorted by kind and site, not each rental
    per_vehicle = (
        select(Vehicle.kind.label("kind"), Vehicle.site_id.label("site_id"),
               func.sum(days).label("days"), func.count(Rental.id).label("rentals"))
        .select_from(Vehicle).join(Rental, Rental.vehicle_id == Vehicle.id)
        .where(Rental.platform_id.in_(platform_ids), Rental.status != "cancelled",
               Rental.start_date < after, Rental.end_date > start)
        .group_by(Vehicle.id)).subquery()
    rented = db.session.execute(
        select(per_vehicle.c.kind, per_vehicle.c.site_id, func.sum(per_vehicle.c.days),
               func.sum(per_vehicle.c.rentals))
        .group_by(per_vehicle.c.kind, per_vehicle.c.site_id)
    ).all()
    fleet = db.session.execute(
        select(Vehicle.kind, Vehicle.site_id, Site.name, func.count(Vehicle.id))
        .join(Site, Site.id == Vehicle.site_id)
        .where(Vehicle.platform_id.in_(platform_ids), Vehicle.status != "retired")
        .group_by(Vehicle.kind, Vehicle.site_id, Site.name)
    ).all()
    site_names = dict(db.session.execute(
        select(Site.id, Site.name).where(Site.platform_id.in_(platform_ids))).all())
    cells: dict[tuple[str, int], dict] = {}
    for kind, site_id, name, count in fleet:
        cells[(kind, site_id)] = {"vehicle_kind": kind, "site_id": site_id, "site": name,
                                  "vehicles": count, "rentals": 0, "rental_days": 0}
    for kind, site_id, day_count, rental_count in rented:
        cell = cells.setdefault((kind, site_id), {
            "vehicle_kind": kind, "site_id": site_id, "site": site_names.get(site_id, ""),
            "vehicles": 0, "rentals": 0, "rental_days": 0})
        cell["rental_days"] = int(day_count or 0)
        cell["rentals"] = int(rental_count or 0)
    out = []
    for cell in sorted(cells.values(), key=lambda c: (c["vehicle_kind"], c["site"] or "")):
        capacity = cell["vehicles"] * period_days
        cell["occupancy_pct"] = (round(100 * cell["rental_days"] / capacity, 1)
                                 if capacity else None)
        out.append(cell)
    return out


def mobility_potential(platform_ids: list[int], start: date, end: date) -> dict:
    """Average mobility potential at entry, at exit, and the gain."""
    entry_avg, entry_count = db.session.execute(
        select(func.avg(MobilityAssessment.mobility_potential), func.count(MobilityAssessment.id))
        .where(MobilityAssessment.platform_id.in_(platform_ids),
               MobilityAssessment.kind == "entry", MobilityAssessment.assessed_on >= start,
               MobilityAssessment.assessed_on <= end)
    ).one()
    entry, exit_ = aliased(MobilityAssessment), aliased(MobilityAssessment)
    pair_entry, pair_exit, pair_gain, pairs = db.session.execute(
        select(func.avg(entry.mobility_potential), func.avg(exit_.mobility_potential),
               func.avg(exit_.mobility_potential - entry.mobility_potential),
               func.count(Pathway.id))
        .join(entry, and_(entry.pathway_id == Pathway.id, entry.kind == "entry"))
        .join(exit_, and_(exit_.pathway_id == Pathway.id, exit_.kind == "exit"))
        .where(Pathway.platform_id.in_(platform_ids), Pathway.exit_date >= start,
               Pathway.exit_date <= end)
    ).one()

    def rounded(value):
        return None if value is None else round(float(value), 1)

    return {"entry_assessments": entry_count, "entry_average": rounded(entry_avg),
            "exited_with_both": pairs, "exit_entry_average": rounded(pair_entry),
            "exit_average": rounded(pair_exit), "gain_average": rounded(pair_gain)}


def ladder_outcomes(platform_ids: list[int], start: date, end: date) -> dict[str, int]:
    """People checked in the period, by the level their latest commute check recommended (the
    one ladder, `mobility.people.ladder`, as recorded at the check); "none" when no level was
    confirmed. In the ladder's order, levels nobody got left out."""
    low, high = utc_bounds(start, end)
    latest = (select(func.max(CommuteCheck.id).label("id"))
              .where(CommuteCheck.platform_id.in_(platform_ids),
                     CommuteCheck.created_at >= low, CommuteCheck.created_at < high)
              .group_by(CommuteCheck.beneficiary_id).subquery())
    counts: dict[str, int] = {}
    for ladder in db.session.scalars(select(CommuteCheck.ladder)
                                     .join(latest, CommuteCheck.id == latest.c.id)):
        level = normalise(ladder).get("recommended") or "none"
        counts[level] = counts.get(level, 0) + 1
    return {level: counts[level] for level in (*LEVELS, "none") if level in counts}


def exits(platform_ids: list[int], start: date, end: date) -> dict:
    """Pathways exited in the period, by reason, solution and employment outcome."""
    rows = db.session.execute(
        select(Pathway.exit_reason, Pathway.exit_solution, Pathway.exit_employment,
               func.count(Pathway.id))
        .where(Pathway.platform_id.in_(platform_ids), Pathway.exit_date >= start,
               Pathway.exit_date <= end)
        .group_by(Pathway.exit_reason, Pathway.exit_solution, Pathway.exit_employment)
    ).all()
    by_reason: dict[str, int] = {}
    by_solution: dict[str, int] = {}
    by_employment: dict[str, int] = {}
    total = lasting = 0
    for reason, solution, employment, count in rows:
        total += count
        by_reason[reason or "unknown"] = by_reason.get(reason or "unknown", 0) + count
        by_solution[solution or "none"] = by_solution.get(solution or "none", 0) + count
        by_employment[employment or "none"] = by_employment.get(employment or "none", 0) + count
        if solution and solution != "none":
            lasting += count
    return {"total": total, "lasting_solution": lasting,
            "lasting_solution_pct": round(100 * lasting / total, 1) if total else None,
            "by_reason": by_reason, "by_solution": by_solution, "by_employment": by_employment}
