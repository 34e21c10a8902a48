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

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from fleet.models import MinibusBooking, MinibusRun, Rental, SeatBooking, Site, Vehicle
from mobility.commute.ladder import LEVELS, normalise
from mobility.commute.models import CommuteCheck
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation
from mobility.payments.models import Payment
from mobility.people.models import (
    Beneficiary,
    MobilityAssessment,
    Pathway,
    PathwayAction,
    Referral,
)
from mobility.pricing.engine import (
    MAX_PERIOD_DAYS,
    QuoteError,
    Situation,
    TariffRates,
    bougez_week_terms,
    quote,
)
from mobility.pricing.models import RentalTerms, Tariff

PARIS = ZoneInfo("Europe/Paris")
AGE_BANDS = ("under_26", "26_44", "45_54", "55_plus", "unknown")
GENDER_CODES = ("female", "male", "other", "unspecified")
#: pathway action kinds counted from the people side (the others come from the fleet tables)
PEOPLE_ACTION_KINDS = ("coaching", "workshop", "partner_referral")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _least(a, b):
    return func.least(a, b) if _dialect() == "postgresql" else func.min(a, b)


def _greatest(a, b):
    return func.greatest(a, b) if _dialect() == "postgresql" else func.max(a, b)


def _days_between(first, last):
    """Whole days from date `first` to date `last` (SQL expression, both dialects)."""
    if _dialect() == "postgresql":
        return last - first
    return func.cast(func.julianday(last) - func.julianday(first), db.Integer)


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as UTC instants: Paris midnight of `start` to Paris midnight after `end`."""
    low = datetime.combine(start, time(0), PARIS).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), PARIS).astimezone(UTC)
    return low, high


def referrals_by_organisation(platform_ids: list[int], start: date, end: date) -> list[dict]:
    """Referrals received in the period, per partner organisation, with their decisions."""
    low, high = _utc_bounds(start, end)
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
    days = _days_between(_greatest(Rental.start_date, start), _least(Rental.end_date, after))
    rented = db.session.execute(
        select(Vehicle.kind, Vehicle.site_id, func.sum(days), func.count(Rental.id))
        .join(Vehicle, Vehicle.id == Rental.vehicle_id)
        .where(Rental.platform_id.in_(platform_ids), Rental.status != "cancelled",
               Rental.start_date < after, Rental.end_date > start)
        .group_by(Vehicle.kind, Vehicle.site_id)
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
        cell["rentals"] = rental_count
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
    one ladder, `mobility.commute.ladder`, as recorded at the check); "none" when no level was
    confirmed. In the ladder's order, levels nobody got left out."""
    low, high = _utc_bounds(start, end)
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


def _tariff_case(platform_ids: list[int]):
    """The id of the tariff `rates_on` picks for a rental (the latest one covering its start
    date on its platform; 0: none, the default rates), as a SQL CASE, with the tariffs' rates."""
    tariffs = db.session.scalars(
        select(Tariff).where(Tariff.platform_id.in_(platform_ids))
        .order_by(Tariff.effective_from)).all()
    whens = [(and_(Rental.platform_id == t.platform_id, Rental.start_date >= t.effective_from,
                   Rental.start_date < t.effective_until if t.effective_until is not None
                   else literal(True)), t.id) for t in reversed(tariffs)]
    expression = case(*whens, else_=0) if whens else literal(0)
    return expression, {t.id: t.tariff_rates() for t in tariffs}


def _price_classes(platform_ids: list[int], start: date, end: date):
    """The rentals of the period grouped by what prices them (kind, scheme, terms or the
    person's situation and the tariff): the columns, and one row per class with its count."""
    tariff, rates_by_id = _tariff_case(platform_ids)
    columns = [
        Vehicle.kind.label("kind"),
        func.coalesce(RentalTerms.scheme, "bougez").label("scheme"),
        func.coalesce(func.cast(RentalTerms.rates, db.Text), "").label("rates"),
        func.coalesce(func.cast(RentalTerms.receives_rsa, db.Integer), -1).label("t_rsa"),
        func.coalesce(func.cast(RentalTerms.lives_in_qpv, db.Integer), -1).label("t_qpv"),
        func.coalesce(RentalTerms.resources_band, "").label("t_band"),
        func.coalesce(func.cast(RentalTerms.membership_due, db.Integer), -1).label("t_fee"),
        func.coalesce(func.cast(Beneficiary.receives_rsa, db.Integer), 0).label("b_rsa"),
        func.coalesce(func.cast(Beneficiary.lives_in_qpv, db.Integer), 0).label("b_qpv"),
        func.coalesce(Beneficiary.resources_band, "").label("b_band"),
        tariff.label("tariff"),
    ]
    rows = db.session.execute(
        _period_rentals(select(*columns, func.count(Rental.id)), platform_ids, start, end)
        .group_by(*columns)).all()
    return columns, rows, rates_by_id


def _period_rentals(query, platform_ids: list[int], start: date, end: date):
    """`query` over the rentals of the period (not cancelled, overlapping it), with their
    vehicle, person and terms."""
    return (query.select_from(Rental)
            .join(Vehicle, Vehicle.id == Rental.vehicle_id)
            .join(Beneficiary, Beneficiary.id == Rental.beneficiary_id)
            .outerjoin(RentalTerms, RentalTerms.rental_id == Rental.id)
            .where(Rental.platform_id.in_(platform_ids), Rental.status != "cancelled",
                   Rental.start_date <= end, Rental.end_date > start))


def _class_situation(row) -> tuple[TariffRates, Situation] | None:
    """The rates and situation `quote` would price a class of rentals with."""
    if row.rates:
        return TariffRates.from_dict(json.loads(row.rates)), Situation(
            receives_rsa=bool(row.t_rsa), lives_in_qpv=bool(row.t_qpv),
            resources_band=row.t_band or None, membership_due=bool(row.t_fee))
    return None


def money(platform_ids: list[int], start: date, end: date) -> dict:
    """Amounts invoiced (instalments due in the period), paid, and outstanding at its end.

    "Bougez" rentals (nearly all) are summed in SQL: each class of rentals priced alike gets
    its daily rate, reduction and fee from the pricing engine (`bougez_week_terms`), and the
    database adds up the instalments (cumulative, rounded down, as `quote` computes them).
    AMIE rentals (a monthly ladder) are priced one by one by `quote`."""
    paid_rows = db.session.execute(
        select(Payment.method, func.sum(Payment.amount_cents), func.count(Payment.id))
        .where(Payment.platform_id.in_(platform_ids), Payment.status == "succeeded",
               Payment.paid_on >= start, Payment.paid_on <= end)
        .group_by(Payment.method)
    ).all()
    paid_by_method = {method: int(total or 0) for method, total, _count in paid_rows}

    columns, classes, rates_by_id = _price_classes(platform_ids, start, end)
    priced = sum(row[-1] for row in classes)
    terms, amie = [], False
    for row in classes:
        if row.scheme != "bougez":
            amie = True
            continue
        fixed = _class_situation(row)
        rates, situation = fixed or (
            rates_by_id.get(row.tariff, TariffRates()),
            Situation(receives_rsa=bool(row.b_rsa), lives_in_qpv=bool(row.b_qpv),
                      resources_band=row.b_band or None))
        try:
            rate, pct, fee = bougez_week_terms(rates, row.kind, situation)
        except QuoteError:
            continue  # as `quote` refuses it: not priced
        terms.append((tuple(row[:len(columns)]), rate, pct, fee))
    invoiced, outstanding = _bougez_sums(columns, terms, platform_ids, start, end)
    amie_invoiced, amie_outstanding = _amie_sums(platform_ids, start, end) if amie else (0, 0)
    return {"invoiced_cents": invoiced + amie_invoiced,
            "paid_cents": sum(paid_by_method.values()),
            "outstanding_cents": outstanding + amie_outstanding,
            "paid_by_method": paid_by_method, "rentals_priced": priced}


def _bougez_sums(columns, terms, platform_ids: list[int], start: date,
                 end: date) -> tuple[int, int]:
    """Invoiced in the period and outstanding at its end of the "Bougez" rentals, in SQL: each
    rental joins its class (a small table of the classes' rate, reduction and fee)."""
    if not terms:
        return 0, 0
    classes = union_all(*[
        select(*[literal(v).label(f"k{i}") for i, v in enumerate(values)],
               literal(rate).label("rate"), literal(pct).label("pct"), literal(fee).label("fee"))
        for values, rate, pct, fee in terms]).cte("price_classes")
    # what each rental has paid by the end: an index lookup per rental of the period
    paid = (select(func.coalesce(func.sum(Payment.amount_cents), 0))
            .where(Payment.rental_id == Rental.id, Payment.status == "succeeded",
                   Payment.paid_on <= end).scalar_subquery())
    days = _days_between(Rental.start_date, Rental.end_date)
    # days covered by the instalments due by `end` / before `start` (one every 7 days from
    # the start, the last on the return date)
    to_end = _days_between(Rental.start_date, literal(end))
    before = _days_between(Rental.start_date, literal(start)) - 1
    rows = (_period_rentals(select(
        classes.c.rate, classes.c.pct, classes.c.fee,
        case((Rental.end_date <= end, days), else_=(to_end // 7) * 7).label("q_end"),
        case((before < 0, 0), else_=(before // 7) * 7).label("q_start"),
        paid.label("paid")), platform_ids, start, end)
        # a LEFT join read from the rentals' side (SQLite keeps that order; PostgreSQL makes
        # it a hash join); a rental without a class is one `quote` refuses
        .outerjoin(classes, and_(*[column.element == classes.c[f"k{i}"]
                                   for i, column in enumerate(columns)]))
        .where(days <= MAX_PERIOD_DAYS, classes.c.rate.is_not(None)).subquery())

    def due(covered):
        return (rows.c.rate * covered * (100 - rows.c.pct) // 100
                + case((covered > 0, rows.c.fee), else_=0))

    total = db.session.execute(select(
        func.sum(due(rows.c.q_end) - due(rows.c.q_start)),
        func.sum(_greatest(due(rows.c.q_end) - rows.c.paid, 0)))).one()
    return int(total[0] or 0), int(total[1] or 0)


def _amie_sums(platform_ids: list[int], start: date, end: date) -> tuple[int, int]:
    """Invoiced and outstanding of the AMIE rentals of the period, each priced by `quote`."""
    rentals = db.session.execute(_period_rentals(
        select(Rental.id, Rental.start_date, Rental.end_date, Vehicle.kind, RentalTerms.rates,
               RentalTerms.scheme, RentalTerms.receives_rsa, RentalTerms.lives_in_qpv,
               RentalTerms.resources_band, RentalTerms.membership_due),
        platform_ids, start, end).where(RentalTerms.scheme == "amie")).all()
    if not rentals:
        return 0, 0
    paid_by_rental = dict(db.session.execute(
        select(Payment.rental_id, func.sum(Payment.amount_cents))
        .join(RentalTerms, RentalTerms.rental_id == Payment.rental_id)
        .join(Rental, Rental.id == Payment.rental_id)
        .where(Payment.platform_id.in_(platform_ids), Payment.status == "succeeded",
               Payment.paid_on <= end, Rental.status != "cancelled", RentalTerms.scheme == "amie",
               Rental.start_date <= end, Rental.end_date > start)
        .group_by(Payment.rental_id)).all())
    invoiced = outstanding = 0
    for (rental_id, first, last, kind, rates, scheme, t_rsa, t_qpv, t_band,
         t_membership) in rentals:
        situation = Situation(receives_rsa=bool(t_rsa), lives_in_qpv=bool(t_qpv),
                              resources_band=t_band, membership_due=bool(t_membership))
        try:
            result = quote(TariffRates.from_dict(rates), kind=kind, start=first, end=last,
                           scheme=scheme, situation=situation)
        except QuoteError:
            continue
        due_by_end = 0
        for instalment in result.instalments:
            if start <= instalment.due_date <= end:
                invoiced += instalment.amount_cents
            if instalment.due_date <= end:
                due_by_end += instalment.amount_cents
        outstanding += max(0, due_by_end - int(paid_by_rental.get(rental_id) or 0))
    return invoiced, outstanding
