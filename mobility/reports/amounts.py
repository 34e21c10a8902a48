"""The amounts of an activity report: invoiced (the instalments of the period's rentals, from
the pricing engine, the single source of the price rules, for the rentals of the period read in
one grouped query per slice of vehicles, the slices at once), paid (payments succeeded in the period) and outstanding at the period's end. The
rentals a ledger prices beyond their class (AMIE months, a change of situation, late days
charged) are priced one by one as their ledger does. The definitions are in
`mobility.reports.queries` and docs/reports.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select, text
from sqlalchemy.orm import selectinload

from fleet.models import Rental, Vehicle
from mobility.core.db import db, id_in, read_alongside
from mobility.payments.models import Payment
from mobility.people.models import Beneficiary
from mobility.pricing.engine import (
    MAX_PERIOD_DAYS,
    QuoteError,
    Situation,
    TariffRates,
    bougez_week_terms,
)
from mobility.pricing.models import RentalAmendment, RentalTerms, Tariff
from mobility.pricing.services import priced_terms
from mobility.reports.queries import days_between


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


def _period_rentals(query, platform_ids: list[int], start: date, end: date,
                    vehicles: tuple[int, int] | None = None):
    """`query` over the rentals of the period (not cancelled, overlapping it), with their
    vehicle, person and terms; `vehicles`: only those of the vehicles whose id is in that
    range (the first included, the second not)."""
    query = (query.select_from(Rental)
             .join(Vehicle, Vehicle.id == Rental.vehicle_id)
             .join(Beneficiary, Beneficiary.id == Rental.beneficiary_id)
             .outerjoin(RentalTerms, RentalTerms.rental_id == Rental.id)
             .where(Rental.platform_id.in_(platform_ids), Rental.status != "cancelled",
                    Rental.start_date <= end, Rental.end_date > start))
    if vehicles is not None:
        query = query.where(Rental.vehicle_id >= vehicles[0], Rental.vehicle_id < vehicles[1])
    return query


def _priced_alone():
    """The rentals whose price is not their class's (SQL condition): fixed terms on the AMIE
    plan (months counted over the person's rentals), or with a change of situation, or late
    days charged (`quote_under_terms` adds them: `chargeable_late_days`)."""
    return and_(RentalTerms.id.is_not(None), or_(
        RentalTerms.scheme == "amie",
        and_(Rental.late_days > 0, Rental.late_days_waived_reason.is_(None)),
        exists().where(RentalAmendment.rental_id == Rental.id)))


def _class_situation(row) -> tuple[TariffRates, Situation] | None:
    """The rates and situation fixed by the terms of a class of rentals (None: no terms)."""
    if row.g_rates:
        return TariffRates.from_dict(json.loads(row.g_rates)), Situation(
            receives_rsa=bool(row.t_rsa), lives_in_qpv=bool(row.t_qpv),
            resources_band=row.t_band or None, membership_due=bool(row.t_fee))
    return None


#: the columns that decide how a rental is priced (kind, scheme, terms or the person's
#: situation, tariff), named so that GROUP BY reads each computed value once
_CLASS_COLUMNS = ("g_kind", "g_scheme", "g_rates", "t_rsa", "t_qpv", "t_band", "t_fee",
                  "b_rsa", "b_qpv", "b_band", "g_tariff")


def _rental_groups(platform_ids: list[int], start: date, end: date,
                   vehicles: tuple[int, int] | None):
    """The rentals of the period in groups priced and paid alike, in one scan: each group's
    class columns, the days covered by its instalments due by `end` and before `start` (one
    every 7 days from the start, the last on the return date), what each of its rentals has
    paid by `end`, whether it is longer than `quote` prices, the id of a rental priced alone
    (a group of its own), and how many rentals it holds; with the tariffs' rates."""
    tariff, rates_by_id = _tariff_case(platform_ids)
    days = days_between(Rental.start_date, Rental.end_date)
    to_end = days_between(Rental.start_date, literal(end))
    before = days_between(Rental.start_date, literal(start)) - 1
    # what each rental has paid by the end: an index lookup per rental of the period
    paid = (select(func.coalesce(func.sum(Payment.amount_cents), 0))
            .where(Payment.rental_id == Rental.id, Payment.status == "succeeded",
                   Payment.paid_on <= end).scalar_subquery())
    values = [
        Vehicle.kind,
        func.coalesce(RentalTerms.scheme, "bougez"),
        func.coalesce(func.cast(RentalTerms.rates, db.Text), ""),
        func.coalesce(func.cast(RentalTerms.receives_rsa, db.Integer), -1),
        func.coalesce(func.cast(RentalTerms.lives_in_qpv, db.Integer), -1),
        func.coalesce(RentalTerms.resources_band, ""),
        func.coalesce(func.cast(RentalTerms.membership_due, db.Integer), -1),
        func.coalesce(func.cast(Beneficiary.receives_rsa, db.Integer), 0),
        func.coalesce(func.cast(Beneficiary.lives_in_qpv, db.Integer), 0),
        func.coalesce(Beneficiary.resources_band, ""),
        tariff,
    ]
    measures = {
        "too_long": case((days > MAX_PERIOD_DAYS, 1), else_=0),
        "q_end": case((Rental.end_date <= end, days), else_=(to_end // 7) * 7),
        "q_start": case((before < 0, 0), else_=(before // 7) * 7),
        "paid": paid,
        # a rental priced alone is a group of its own
        "alone": case((_priced_alone(), Rental.id), else_=0),
    }
    each = _period_rentals(select(
        *[value.label(name) for value, name in zip(values, _CLASS_COLUMNS, strict=True)],
        *[value.label(name) for name, value in measures.items()]), platform_ids, start, end,
        vehicles)
    if db.session.get_bind().dialect.name == "postgresql":
        # a year's rentals fall in a few hundred groups, but PostgreSQL cannot know it and,
        # within the default 4 MB, sorts the 344,000 rows on disk instead of hashing them
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    else:
        # a subquery with a LIMIT is not merged into the GROUP BY (SQLite's flattening
        # rules), which would otherwise sum each rental's payments twice
        each = each.limit(-1)
    rentals = each.subquery()
    columns = [rentals.c[name] for name in (*_CLASS_COLUMNS, *measures)]
    rows = db.session.execute(select(*columns, func.count().label("rentals"))
                              .group_by(*columns)).all()
    return rows, rates_by_id


def _class_terms(row, rates_by_id: dict) -> tuple[int, int, int] | None:
    """`(daily rate, reduction percent, fee)` of a class of "Bougez" rentals, None where
    `quote` refuses to price it."""
    fixed = _class_situation(row)
    rates, situation = fixed or (
        rates_by_id.get(row.g_tariff, TariffRates()),
        Situation(receives_rsa=bool(row.b_rsa), lives_in_qpv=bool(row.b_qpv),
                  resources_band=row.b_band or None))
    try:
        return bougez_week_terms(rates, row.g_kind, situation)
    except QuoteError:
        return None


def _due(terms: tuple[int, int, int], covered: int) -> int:
    """What the instalments covering the first `covered` days come to (cumulative, rounded
    down, the fee with the first), as `quote` charges a "Bougez" rental."""
    rate, pct, fee = terms
    return rate * covered * (100 - pct) // 100 + (fee if covered > 0 else 0)


def paid_by_method(platform_ids: list[int], start: date, end: date) -> dict[str, int]:
    """What the payments succeeded in the period add up to, per method (cents)."""
    rows = db.session.execute(
        select(Payment.method, func.sum(Payment.amount_cents))
        .where(Payment.platform_id.in_(platform_ids), Payment.status == "succeeded",
               Payment.paid_on >= start, Payment.paid_on <= end)
        .group_by(Payment.method)
    ).all()
    return {method: int(total or 0) for method, total in rows}


def invoiced_and_outstanding(platform_ids: list[int], start: date, end: date,
                             vehicles: tuple[int, int] | None = None) -> dict:
    """Amounts invoiced (instalments due in the period) and outstanding at its end, and how
    many rentals were priced (`vehicles`: of the rentals of a range of vehicle ids only, see
    `_period_rentals`).

    "Bougez" rentals (nearly all) are read in groups priced and paid alike (one scan): each
    class gets its daily rate, reduction and fee from the pricing engine
    (`bougez_week_terms`), and each group's instalments are added up as `quote` computes
    them. The rentals whose ledger prices them beyond their class (`_priced_alone`: AMIE's
    monthly ladder, a change of situation, late days charged) are priced one by one."""
    groups, rates_by_id = _rental_groups(platform_ids, start, end, vehicles)
    terms_of_class: dict[tuple, tuple[int, int, int] | None] = {}
    invoiced = outstanding = priced = 0
    alone: dict[int, int] = {}
    for row in groups:
        priced += row.rentals
        if row.alone:
            alone[row.alone] = int(row.paid)
            continue
        key = tuple(row[:len(_CLASS_COLUMNS)])
        if key not in terms_of_class:
            terms_of_class[key] = _class_terms(row, rates_by_id)
        terms = terms_of_class[key]
        if terms is None or row.too_long:
            continue  # as `quote` refuses it: not priced
        due_by_end = _due(terms, row.q_end)
        invoiced += (due_by_end - _due(terms, row.q_start)) * row.rentals
        outstanding += max(0, due_by_end - int(row.paid)) * row.rentals
    alone_invoiced, alone_outstanding = _sums_one_by_one(alone, start, end)
    return {"invoiced_cents": invoiced + alone_invoiced,
            "outstanding_cents": outstanding + alone_outstanding, "rentals_priced": priced}


#: the slices of the period's rentals whose amounts due are read at once, each on a
#: connection and a thread of its own (`read_alongside`): the machines measured have two cores
AMOUNTS_SLICES = 2


def invoiced_and_outstanding_alongside(platform_ids: list[int], start: date, end: date
                                       ) -> Callable[[], dict]:
    """Start reading `invoiced_and_outstanding` on other connections, the period's rentals
    cut in `AMOUNTS_SLICES` slices by vehicle (each rental in one slice, the sums of the
    slices add up); returns what waits for them and gives their total."""
    low, high = db.session.execute(select(func.min(Vehicle.id), func.max(Vehicle.id)).where(
        Vehicle.platform_id.in_(platform_ids))).one()
    low, high = low or 0, (high or 0) + 1
    cuts = [low + (high - low) * i // AMOUNTS_SLICES for i in range(AMOUNTS_SLICES + 1)]
    futures = [read_alongside(invoiced_and_outstanding, platform_ids, start, end,
                              (cuts[i], cuts[i + 1])) for i in range(AMOUNTS_SLICES)]

    def total() -> dict:
        sums = {"invoiced_cents": 0, "outstanding_cents": 0, "rentals_priced": 0}
        for future in futures:
            for name, value in future.result().items():
                sums[name] += value
        return sums
    return total


def money_of(amounts: dict, paid: dict[str, int]) -> dict:
    """The report's money: `invoiced_and_outstanding` with what was paid (`paid_by_method`)."""
    return {"invoiced_cents": amounts["invoiced_cents"], "paid_cents": sum(paid.values()),
            "outstanding_cents": amounts["outstanding_cents"], "paid_by_method": paid,
            "rentals_priced": amounts["rentals_priced"]}


def money(platform_ids: list[int], start: date, end: date) -> dict:
    """Amounts invoiced (instalments due in the period), paid, and outstanding at its end."""
    return money_of(invoiced_and_outstanding(platform_ids, start, end),
                    paid_by_method(platform_ids, start, end))


def _sums_one_by_one(paid_by_rental: dict[int, int], start: date, end: date
                     ) -> tuple[int, int]:
    """Invoiced and outstanding of the rentals priced alone (`_priced_alone`; what each had
    paid by the end), each with its quote under its terms as its ledger prices it
    (`priced_terms`: AMIE months, changes of situation, late days)."""
    if not paid_by_rental:
        return 0, 0
    rentals = list(db.session.scalars(select(Rental).where(
        id_in(Rental.id, list(paid_by_rental))).options(selectinload(Rental.vehicle))))
    invoiced = outstanding = 0
    for rental_id, (_terms, result) in priced_terms(rentals).items():
        if result is None:
            continue  # as `quote` refuses it: not priced
        due_by_end = 0
        for instalment in result.instalments:
            if start <= instalment.due_date <= end:
                invoiced += instalment.amount_cents
            if instalment.due_date <= end:
                due_by_end += instalment.amount_cents
        outstanding += max(0, due_by_end - paid_by_rental[rental_id])
    return invoiced, outstanding
