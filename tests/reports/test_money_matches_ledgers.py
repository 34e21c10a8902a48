"""The report's money is what the rentals' ledgers say: the instalments each ledger charges,
due in the period (invoiced) and by its end against the payments made by then (outstanding),
including what a ledger prices beyond a rental's class: AMIE months that continue from the
person's earlier AMIE rentals, a change of situation after signing, late days charged (and not
those an advisor waived)."""

from __future__ import annotations

from datetime import date

import pytest

from mobility.core.db import db
from mobility.payments.models import Payment
from mobility.payments.services.ledger import ledger
from mobility.pricing.engine import TariffRates
from mobility.pricing.models import RentalAmendment, Tariff
from mobility.pricing.services import new_terms
from mobility.reports.amounts import money
from tests.factories import create_beneficiary, create_platform, create_rental, create_vehicle

START, END = date(2025, 1, 1), date(2025, 12, 31)
RATES = TariffRates(daily_rates_cents={"car": 700, "scooter": 300, "moped": 300, "bike": 150,
                                       "e_bike": 130}, qpv_reduction_pct=33,
                    rsa_reduction_pct=75, membership_fee_cents=1500)


def _rental(platform, kind, first, last, *, person=None, scheme="bougez", paid=0, **fields):
    rental = create_rental(create_vehicle(platform=platform, kind=kind),
                           person or create_beneficiary(platform), start_date=first,
                           end_date=last, status=fields.pop("status", "returned"), **fields)
    db.session.add(new_terms(rental, scheme=scheme))
    if paid:
        db.session.add(Payment(platform_id=platform.id, rental_id=rental.id, amount_cents=paid,
                               method="cash", status="succeeded", paid_on=min(last, END)))
    db.session.commit()
    return rental


def _expected(rentals) -> tuple[int, int]:
    """Invoiced and outstanding added up from each rental's ledger."""
    invoiced = outstanding = 0
    for rental in rentals:
        book = ledger(rental, today=END)
        charges = [(date.fromisoformat(c["due_date"]), c["amount_cents"]) for c in book["charges"]]
        invoiced += sum(amount for due, amount in charges if START <= due <= END)
        due_by_end = sum(amount for due, amount in charges if due <= END)
        outstanding += max(0, due_by_end - book["paid_cents"])
    return invoiced, outstanding


@pytest.fixture
def platform(app):
    platform = create_platform()
    db.session.add(Tariff(platform_id=platform.id, name="2025", effective_from=date(2024, 1, 1),
                          rates=RATES.to_dict()))
    db.session.commit()
    return platform


def test_late_days_charged_count_and_waived_ones_do_not(platform):
    late = _rental(platform, "bike", date(2025, 3, 3), date(2025, 3, 24), late_days=4,
                   returned_on=date(2025, 3, 28), paid=1000)
    waived = _rental(platform, "scooter", date(2025, 4, 7), date(2025, 4, 21), late_days=3,
                     returned_on=date(2025, 4, 24), late_days_waived_reason="panne de réveil")
    plain = _rental(platform, "car", date(2025, 6, 2), date(2025, 6, 16), paid=500)
    rentals = [late, waived, plain]
    result = money([platform.id], START, END)
    assert (result["invoiced_cents"], result["outstanding_cents"]) == _expected(rentals)
    assert result["rentals_priced"] == 3
    # the four late days are in the report: 4 × 1.50 € more than the rental's own weeks
    without = money([platform.id], START, date(2025, 3, 24))["invoiced_cents"]
    assert money([platform.id], START, date(2025, 3, 28))["invoiced_cents"] - without == 600


def test_a_change_of_situation_after_signing_counts_from_its_date(platform):
    person = create_beneficiary(platform)
    rental = _rental(platform, "car", date(2025, 5, 5), date(2025, 6, 30), person=person,
                     paid=3000)
    db.session.add(RentalAmendment(platform_id=platform.id, rental_id=rental.id,
                                   effective_from=date(2025, 5, 26), receives_rsa=True))
    db.session.commit()
    other = _rental(platform, "car", date(2025, 5, 5), date(2025, 6, 30))  # the same, unchanged
    result = money([platform.id], START, END)
    assert (result["invoiced_cents"], result["outstanding_cents"]) == _expected([rental, other])
    assert _expected([rental]) != _expected([other])  # the amendment lowers the price


def test_amie_months_continue_from_the_persons_earlier_rentals(platform):
    person = create_beneficiary(platform)
    first = _rental(platform, "car", date(2024, 11, 4), date(2025, 2, 4), person=person,
                    scheme="amie", paid=2000)
    second = _rental(platform, "car", date(2025, 4, 7), date(2025, 6, 7), person=person,
                     scheme="amie")
    cancelled = _rental(platform, "car", date(2025, 9, 1), date(2025, 10, 1), person=person,
                        scheme="amie", status="cancelled", late_days=2)
    result = money([platform.id], START, END)
    assert (result["invoiced_cents"], result["outstanding_cents"]) == _expected([first, second])
    assert ledger(cancelled, today=END)["charges"] == []
    assert result["rentals_priced"] == 2
