"""The amounts of an activity report: invoiced (the instalments of the period's rentals, from
the pricing engine, the single source of the price rules, for the rentals of the period read in
one query), paid (payments succeeded in the period) and outstanding at the period's end. The
definitions are in `mobility.reports.queries` and docs/reports.md."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import and_, case, func, literal, select, union_all

from fleet.models import Rental, Vehicle
from mobility.core.db import db
from mobility.payments.models import Payment
from mobility.people.models import Beneficiary
from mobility.pricing.engine import (
    MAX_PERIOD_DAYS,
    QuoteError,
    Situation,
    TariffRates,
    bougez_week_terms,
    quote,
)
from mobility.pricing.models import RentalTerms, Tariff
from mobility.reports.queries import days_between, greatest


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
    days = days_between(Rental.start_date, Rental.end_date)
    # days covered by the instalments due by `end` / before `start` (one every 7 days from
    # the start, the last on the return date)
    to_end = days_between(Rental.start_date, literal(end))
    before = days_between(Rental.start_date, literal(start)) - 1
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
        func.sum(greatest(due(rows.c.q_end) - rows.c.paid, 0)))).one()
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
