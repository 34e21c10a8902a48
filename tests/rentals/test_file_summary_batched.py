"""The person's file reads every rental at once (`rentals_of_person`): its figures are those of
the one-rental functions (`ledger`, `contract_is_current`, `deposit_of`, `handover_readiness`)."""

from datetime import timedelta

from mobility.contracts.services import contract_is_current, ensure_contract
from mobility.core.columns import utcnow
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.payments.models import Deposit, Payment
from mobility.payments.services import balances, deposit_of, due_by_rental, ledger
from mobility.pricing.services import ensure_terms
from mobility.rentals.lifecycle.handover import handover_readiness
from mobility.rentals.summary import rentals_of_person
from tests.factories import (
    create_beneficiary,
    create_platform,
    create_rental,
    create_site,
    create_vehicle,
)


def test_each_line_of_the_file_agrees_with_the_rentals_own_ledger_and_contract(app):
    platform = create_platform()
    person = create_beneficiary(platform, ready=True)
    site = create_site(platform)
    today = local_today()
    rentals = []
    for i, status in enumerate(("booked", "in_progress", "returned", "closed", "cancelled",
                                "in_progress", "returned", "booked")):
        start = today - timedelta(days=10 + 30 * i) if status != "booked" else (
            today + timedelta(days=i))
        rental = create_rental(create_vehicle(site, kind="car" if i % 2 else "bike",
                                              plate=f"S-{i}"), person, start_date=start,
                               end_date=start + timedelta(days=21), status=status)
        ensure_terms(rental, scheme="amie" if i % 2 else "bougez")
        if i % 3 != 2:
            contract = ensure_contract(rental)
            contract.signed_at = utcnow() if i % 2 == 0 else None
        if i in (1, 3, 6):
            db.session.add(Payment(platform_id=platform.id, rental_id=rental.id,
                                   amount_cents=700 * i, method="cash", status="succeeded"))
        if i in (0, 3):
            db.session.add(Deposit(platform_id=platform.id, rental_id=rental.id,
                                   amount_cents=10000, method="cheque", status="held"))
        rentals.append(rental)
    rentals[6].end_date = rentals[6].end_date + timedelta(days=2)  # a signed contract now stale
    db.session.commit()

    # the many-rental sums (dashboards, lists) agree with each ledger, a cancelled rental too
    due, owed = due_by_rental(rentals, today), balances(rentals, today)
    for rental in rentals:
        money = ledger(rental, today=today)
        assert due.get(rental.id, (0, ""))[0] == money["due_cents"], rental.status
        assert owed[rental.id]["arrears_cents"] == money["arrears_cents"], rental.status

    lines = {line.rental.id: line for line in rentals_of_person(person, today)}
    assert set(lines) == {r.id for r in rentals}
    for rental in rentals:
        line, money = lines[rental.id], ledger(rental, today=today)
        assert (line.scheme, line.due_cents, line.paid_cents) == (
            money["scheme"], money["due_cents"], money["paid_cents"]), rental.status
        assert line.contract_current == contract_is_current(rental)
        deposit = deposit_of(rental)
        assert line.deposit_status == (deposit.status if deposit else None)
        assert [(item.code, str(item.message)) for item in line.missing] == [
            (item.code, str(item.message)) for item in handover_readiness(rental, today)
            if not item.ok]
    assert not lines[rentals[6].id].contract_current and lines[rentals[6].id].contract_signed
    assert lines[rentals[0].id].contract_current
    missing = {item.code for item in lines[rentals[7].id].missing}
    assert {"contract", "deposit"} <= missing  # an unsigned draft, no deposit yet
