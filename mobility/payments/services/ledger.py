"""The ledger of a rental: the instalments its terms charge against its payments (arrears are
computed, never typed), for one rental or many at once (a fixed number of queries)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from fleet.models import ENDED_RENTAL_STATUSES as ENDED
from fleet.models import Rental
from mobility.core.db import db, id_in
from mobility.payments.models import Deposit, Payment
from mobility.payments.services.deposits import deposit_of
from mobility.pricing.engine import Quote, QuoteError, Situation, TariffRates
from mobility.pricing.engine import quote as price_quote
from mobility.pricing.models import RentalTerms, Tariff
from mobility.pricing.services import (
    chargeable_late_days,
    ensure_terms,
    priced_terms,
    rental_quote,
)

# -- many rentals at once (lists, dashboards: a fixed number of queries) --------------------

def paid_by_rental(rental_ids: list[int]) -> dict[int, int]:
    """Succeeded payments of each rental, in one query."""
    if not rental_ids:
        return {}
    return dict(db.session.execute(
        select(Payment.rental_id, func.sum(Payment.amount_cents))
        .where(id_in(Payment.rental_id, rental_ids), Payment.status == "succeeded")
        .group_by(Payment.rental_id)).all())


def due_by_rental(rentals: list[Rental], today: date,
                  priced: dict | None = None) -> dict[int, tuple[int, str]]:
    """What each rental owes by today under its terms (instalments due), computed in memory
    from its terms; a rental whose price is not fixed yet is priced as `ensure_terms` would
    fix it (tariff in force on its start date, the person's situation), without writing."""
    priced = priced_terms(rentals) if priced is None else priced
    unfixed = _UnfixedPrices(rentals)
    due: dict[int, tuple[int, str]] = {}
    for rental in rentals:
        if rental.id in priced:
            item, result = priced[rental.id]
            scheme = item.scheme
        else:
            try:
                result = unfixed.quote(rental)
            except QuoteError:
                result = None
            scheme = _UnfixedPrices.scheme
        if result is not None:
            due[rental.id] = (_due_today(rental, result, today), scheme)
    return due


def _due_today(rental: Rental, result: Quote, today: date) -> int:
    """The instalments due by today (all of them once the rental has ended; none for a
    cancelled rental, which charges nothing, as its `ledger` says)."""
    if rental.status == "cancelled":
        return 0
    return sum(i.amount_cents for i in result.instalments
               if i.due_date <= today or rental.status in ENDED)


class _UnfixedPrices:
    """Prices rentals whose terms are not fixed yet as `ensure_terms` would (Bougez, the
    tariff in force on the start date, the person's situation then) and as their ledger will
    (late days charged); the tariffs and the
    membership fees already charged are read once, the first time they are needed."""

    scheme = "bougez"

    def __init__(self, rentals: list[Rental]) -> None:
        self.rentals = rentals
        self.tariffs: list[Tariff] | None = None
        self.memberships: dict[int, list[date]] = {}

    def quote(self, rental: Rental) -> Quote:
        if self.tariffs is None:
            self.tariffs = list(db.session.scalars(select(Tariff).where(
                Tariff.platform_id == rental.platform_id)))
            self.memberships = _membership_starts([r.beneficiary_id for r in self.rentals])
        tariff = next((t for t in self.tariffs if t.covers(rental.start_date)), None)
        rates = tariff.tariff_rates() if tariff else TariffRates()
        person = rental.beneficiary
        since = rental.start_date - timedelta(days=365)
        charged = any(since < day <= rental.start_date
                      for day in self.memberships.get(rental.beneficiary_id, ()))
        situation = Situation(receives_rsa=bool(person.receives_rsa),
                              lives_in_qpv=bool(person.lives_in_qpv),
                              resources_band=person.resources_band,
                              membership_due=not charged)
        return price_quote(rates, kind=rental.vehicle.kind, start=rental.start_date,
                           end=rental.end_date, scheme=self.scheme, situation=situation,
                           late_days=chargeable_late_days(rental))


def _membership_starts(beneficiary_ids: list[int]) -> dict[int, list[date]]:
    """Start dates of each person's rentals that charged the membership fee (one query)."""
    starts: dict[int, list[date]] = {}
    for person_id, start in db.session.execute(
            select(Rental.beneficiary_id, Rental.start_date)
            .join(RentalTerms, RentalTerms.rental_id == Rental.id)
            .where(id_in(Rental.beneficiary_id, beneficiary_ids),
                   RentalTerms.membership_due.is_(True), Rental.status != "cancelled")):
        starts.setdefault(person_id, []).append(start)
    return starts


def balances(rentals: list, today: date | None = None) -> dict[int, dict[str, int]]:
    """`{"paid_cents", "arrears_cents"}` of many rentals in a few queries: what `ledger`
    gives one rental, for list pages."""
    today = today or datetime.now(UTC).date()
    paid = paid_by_rental([r.id for r in rentals])
    due = due_by_rental(rentals, today)
    return {r.id: {"paid_cents": paid.get(r.id, 0),
                   "arrears_cents": max(0, due.get(r.id, (0, ""))[0] - paid.get(r.id, 0))}
            for r in rentals}


def ledger(rental, *, today: date | None = None) -> dict:
    """Charges (the instalments of the rental's terms, up to its actual return date) against
    payments: what is due today, paid, pending, and the arrears (computed, never typed)."""
    today = today or datetime.now(UTC).date()
    terms = ensure_terms(rental)
    quote = None if rental.status == "cancelled" else rental_quote(rental, terms)
    charges = _charges(rental, quote, today)
    payments = db.session.scalars(
        select(Payment).where(Payment.rental_id == rental.id).order_by(Payment.id)).all()
    paid = sum(p.amount_cents for p in payments if p.status == "succeeded")
    pending = sum(p.amount_cents for p in payments if p.status == "pending")
    charged = sum(c["amount_cents"] for c in charges)
    due = sum(c["amount_cents"] for c in charges if c["due"])
    deposit = deposit_of(rental)
    return {
        "rental_id": rental.id,
        "scheme": terms.scheme,
        "period": quote.period if quote else None,
        "charged_cents": charged,
        "due_cents": due,
        "paid_cents": paid,
        "pending_cents": pending,
        "arrears_cents": max(0, due - paid),
        "credit_cents": max(0, paid - due),
        "balance_cents": paid - charged,
        "charges": charges,
        "payments": [_payment_row(p) for p in payments],
        "deposit": None if deposit is None else _deposit_row(deposit),
        "microcredit": _microcredit(quote),
    }


def _charges(rental, quote: Quote | None, today: date) -> list[dict]:
    """The instalments of the quote, each marked due by today (all once the rental ended)."""
    if quote is None:
        return []
    return [
        {"number": i.number, "due_date": i.due_date.isoformat(),
         "period_start": i.period_start.isoformat(), "period_end": i.period_end.isoformat(),
         "amount_cents": i.amount_cents, "due": i.due_date <= today or rental.status in ENDED}
        for i in quote.instalments
    ]


def _payment_row(payment: Payment) -> dict:
    return {"id": payment.id, "amount_cents": payment.amount_cents, "method": payment.method,
            "status": payment.status,
            "paid_on": payment.paid_on.isoformat() if payment.paid_on else None,
            "reference": payment.reference,
            "stripe_payment_intent_id": payment.stripe_payment_intent_id}


def _deposit_row(deposit: Deposit) -> dict:
    return {"id": deposit.id, "amount_cents": deposit.amount_cents, "method": deposit.method,
            "status": deposit.status, "kept_cents": deposit.kept_cents,
            "hold_expires_at": deposit.hold_expires_at.isoformat()
            if deposit.hold_expires_at else None}


def _microcredit(quote: Quote | None) -> dict | None:
    if not quote or not quote.microcredit:
        return None
    return {"month": quote.microcredit["month"],
            "date": quote.microcredit["date"].isoformat()}


def arrears_cents(rental, *, today: date | None = None) -> int:
    return ledger(rental, today=today)["arrears_cents"]
