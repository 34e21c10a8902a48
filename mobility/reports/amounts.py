"""The amounts of an activity report: invoiced (the instalments of the period's rentals, from
the pricing engine, the single source of the price rules, added up in SQL over the period's
rentals, two slices of vehicles read at once), paid (payments succeeded in the period) and
outstanding at the period's end. The rentals a ledger prices beyond their week terms (AMIE
months, a change of situation, late days charged) are priced one by one as their ledger does.
The definitions are in `mobility.reports.queries` and docs/reports.md."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date
from itertools import product

from sqlalchemy import BigInteger, and_, case, func, literal, null, or_, select, text
from sqlalchemy.orm import selectinload

from fleet.models import Rental, Vehicle
from mobility.core.db import db, id_in, read_alongside
from mobility.payments.models import Payment
from mobility.people.models import RESOURCES_BANDS, Beneficiary
from mobility.pricing.engine import (
    MAX_PERIOD_DAYS,
    VEHICLE_KINDS,
    QuoteError,
    Situation,
    TariffRates,
    bougez_daily_rate,
    bougez_reduction_and_fee,
)
from mobility.pricing.models import RentalAmendment, RentalTerms, Tariff
from mobility.pricing.services import priced_terms
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


def _period_rentals(query, platform_ids: list[int], start: date, end: date,
                    vehicles: tuple[int, int] | None, amended):
    """`query` over the rentals of the period (not cancelled, overlapping it), with their
    vehicle, person, terms and whether they were `amended` (`_amended`); `vehicles`: only
    those of the vehicles whose id is in that range (the first included, the second not)."""
    query = (query.select_from(Rental)
             .join(Vehicle, Vehicle.id == Rental.vehicle_id)
             .join(Beneficiary, Beneficiary.id == Rental.beneficiary_id)
             .outerjoin(RentalTerms, RentalTerms.rental_id == Rental.id)
             .outerjoin(amended, amended.c.rental_id == Rental.id)
             .where(Rental.platform_id.in_(platform_ids), Rental.status != "cancelled",
                    Rental.start_date <= end, Rental.end_date > start))
    if vehicles is not None:
        query = query.where(Rental.vehicle_id >= vehicles[0], Rental.vehicle_id < vehicles[1])
    return query


def _amended():
    """The rentals with a change of situation after signing (a subquery, joined: a few rows,
    hashed once, where a lookup per rental costs PostgreSQL 10% of the scan)."""
    return select(RentalAmendment.rental_id).distinct().subquery("amended")


def _priced_alone(amended):
    """The rentals priced beyond their week terms (SQL condition): fixed terms on the AMIE
    plan (months counted over the person's rentals), or with a change of situation
    (`_amended`), or late days charged (`quote_under_terms` adds them:
    `chargeable_late_days`)."""
    return and_(RentalTerms.rental_id.is_not(None), or_(
        RentalTerms.scheme == "amie",
        and_(Rental.late_days > 0, Rental.late_days_waived_reason.is_(None)),
        amended.c.rental_id.is_not(None)))


def _legacy_week_terms(platform_ids: list[int]):
    """For rentals without terms (priced under the tariff in force at their start and the
    person's situation now): SQL expressions of their daily rate, reduction and first fee,
    from the pricing engine for every tariff and kind (`bougez_daily_rate`) and every tariff
    and situation (`bougez_reduction_and_fee`). The rate is None where the engine refuses the
    tariff or the kind (not priced, as `quote` refuses them); the reduction is None for a
    resources band the engine is not given here (such rentals are priced one by one)."""
    tariff, rates_by_id = _tariff_case(platform_ids)
    rsa = func.coalesce(func.cast(Beneficiary.receives_rsa, db.Integer), 0)
    qpv = func.coalesce(func.cast(Beneficiary.lives_in_qpv, db.Integer), 0)
    bands = [None, *RESOURCES_BANDS]
    rate_whens, pct_whens, fee_whens = [], [], []
    for tariff_id, rates in {0: TariffRates(), **rates_by_id}.items():
        for kind in VEHICLE_KINDS:
            with suppress(QuoteError):
                rate_whens.append((and_(tariff == tariff_id, Vehicle.kind == kind),
                                   bougez_daily_rate(rates, kind)))
        for with_rsa, with_qpv, band in product((0, 1), (0, 1), bands):
            with suppress(QuoteError):
                pct, fee = bougez_reduction_and_fee(rates, Situation(
                    receives_rsa=bool(with_rsa), lives_in_qpv=bool(with_qpv),
                    resources_band=band))
                situation = and_(tariff == tariff_id, rsa == with_rsa, qpv == with_qpv,
                                 Beneficiary.resources_band.is_(None) if band is None
                                 else Beneficiary.resources_band == band)
                pct_whens.append((situation, pct))
                fee_whens.append((situation, fee))
    return tuple(case(*whens, else_=None) if whens else null()
                 for whens in (rate_whens, pct_whens, fee_whens))


def _week_terms_and_alone(platform_ids: list[int], amended) -> tuple[list, object]:
    """The daily rate, reduction and first fee of each rental (SQL), and the condition of the
    rentals priced one by one: `_priced_alone`, terms whose week prices are not known for the
    rental's vehicle (`RentalTerms.fix_week_terms`), a person's band the engine was not
    asked about."""
    legacy = _legacy_week_terms(platform_ids)
    # (the terms' index holds their rental's id, not their own)
    without_terms = RentalTerms.rental_id.is_(None)
    fixed = and_(RentalTerms.daily_rate_cents.is_not(None),
                 RentalTerms.priced_kind == Vehicle.kind)
    week = [case((without_terms, of_legacy), (fixed, stored), else_=None)
            for of_legacy, stored in zip(legacy, (
                RentalTerms.daily_rate_cents, RentalTerms.reduction_pct,
                RentalTerms.first_fee_cents), strict=True)]
    alone = or_(_priced_alone(amended), and_(~without_terms, ~fixed),
                and_(without_terms, legacy[0].is_not(None), legacy[1].is_(None)))
    return week, alone


def _rental_sums(platform_ids: list[int], start: date, end: date,
                 vehicles: tuple[int, int] | None):
    """The rentals of the period in one scan, no sort: the instalments of the "Bougez" ones
    due in the period and what they still owe at its end, added up in SQL from each one's
    daily rate, reduction and fee (`_due`); how many rentals; and the rentals priced one by
    one, each as "id:paid by the end"."""
    amended = _amended()
    week, alone = _week_terms_and_alone(platform_ids, amended)
    days = days_between(Rental.start_date, Rental.end_date)
    to_end = days_between(Rental.start_date, literal(end))
    before = days_between(Rental.start_date, literal(start)) - 1
    # what each rental has paid by the end: an index lookup per rental of the period
    paid = (select(func.coalesce(func.sum(Payment.amount_cents), 0))
            .where(Payment.rental_id == Rental.id, Payment.status == "succeeded",
                   Payment.paid_on <= end).scalar_subquery())
    each = _period_rentals(select(
        Rental.id.label("id"),
        *[func.cast(value, BigInteger).label(name)
          for value, name in zip(week, ("rate", "pct", "fee"), strict=True)],
        # days covered by the instalments due by the end and before the start (one every 7
        # days from the start, the last on the return date)
        case((Rental.end_date <= end, days), else_=(to_end // 7) * 7).label("q_end"),
        case((before < 0, 0), else_=(before // 7) * 7).label("q_start"),
        paid.label("paid"),
        case((days > MAX_PERIOD_DAYS, 1), else_=0).label("too_long"),
        case((alone, 1), else_=0).label("alone"),
    ), platform_ids, start, end, vehicles, amended)
    # a subquery with a LIMIT (SQLite) or an OFFSET (PostgreSQL) is read as such, each row's
    # payments summed once, not merged into the sums that use them twice
    if db.session.get_bind().dialect.name == "sqlite":
        each = each.limit(-1)
    else:
        each = each.offset(0)
        # the period's rentals are joined by hashing, and the default 4 MB would spill the
        # hash tables of a year's rentals and their terms to disk
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    r = each.subquery()
    priced = and_(r.c.alone == 0, r.c.too_long == 0, r.c.rate.is_not(None))
    due_by_end = _due(r.c, r.c.q_end)
    return db.session.execute(select(
        func.sum(case((priced, due_by_end - _due(r.c, r.c.q_start)), else_=0)),
        func.sum(case((priced, greatest(literal(0), due_by_end - r.c.paid)), else_=0)),
        func.count(),
        _joined(func.cast(r.c.id, db.Text) + literal(":") + func.cast(r.c.paid, db.Text),
                r.c.alone == 1),
    )).one()


def _due(rental, covered):
    """What the instalments covering the first `covered` days come to (SQL: cumulative,
    rounded down, the fee with the first), as `quote` charges a "Bougez" rental
    (`bougez_week_terms`)."""
    return (rental.rate * covered * (100 - rental.pct) // 100
            + case((covered > 0, rental.fee), else_=0))


def _joined(text_value, condition):
    """The values of `text_value` on the rows meeting `condition`, joined by commas (SQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.string_agg(text_value, literal(",")).filter(condition)
    return func.group_concat(text_value, literal(",")).filter(condition)


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

    "Bougez" rentals (nearly all) are added up in SQL in one scan (`_rental_sums`), each
    from its daily rate, reduction and fee (`bougez_week_terms`: kept on its terms when it
    has some, `RentalTerms.fix_week_terms`; from the tariff and the person's situation when
    not), as `quote` computes its instalments. The rentals whose ledger prices them beyond
    that (`_priced_alone`: AMIE's monthly ladder, a change of situation, late days charged)
    are priced one by one."""
    invoiced, outstanding, priced, alone_rentals = _rental_sums(platform_ids, start, end,
                                                                 vehicles)
    alone = {}
    for item in (alone_rentals or "").split(","):
        if item:
            rental_id, paid = item.split(":")
            alone[int(rental_id)] = int(paid)
    alone_invoiced, alone_outstanding = _sums_one_by_one(alone, start, end)
    return {"invoiced_cents": int(invoiced or 0) + alone_invoiced,
            "outstanding_cents": int(outstanding or 0) + alone_outstanding,
            "rentals_priced": int(priced or 0)}


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
