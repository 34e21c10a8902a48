"""The list pages' balances (a few queries for many rentals) agree with each rental's ledger."""

from datetime import date

from mobility.payments import services
from tests.factories import create_beneficiary, create_money_rental, create_platform, create_user


def test_balances_match_the_ledgers(app):
    platform = create_platform()
    advisor = create_user("advisor", platform=platform)
    rentals = [
        create_money_rental(platform, kind="car", start=date(2026, 3, 2), days=28),
        create_money_rental(platform, kind="bike", start=date(2026, 3, 9), days=21,
                            status="returned"),
        create_money_rental(platform, kind="scooter", start=date(2026, 3, 2), days=35,
                            beneficiary=create_beneficiary(platform, lives_in_qpv=True,
                                                           pathway=date(2026, 1, 5))),
        create_money_rental(platform, kind="car", start=date(2026, 3, 2), days=28,
                            beneficiary=create_beneficiary(platform, receives_rsa=True,
                                                           pathway=date(2026, 1, 5))),
    ]
    services.record_payment(advisor, rentals[0], amount_cents=3500, method="cash",
                            paid_on=date(2026, 3, 9))
    services.record_payment(advisor, rentals[2], amount_cents=700, method="cheque",
                            paid_on=date(2026, 3, 9))
    today = date(2026, 3, 24)
    summary = services.balances(rentals, today)
    for rental in rentals:
        ledger = services.ledger(rental, today=today)
        assert summary[rental.id] == {"paid_cents": ledger["paid_cents"],
                                      "arrears_cents": ledger["arrears_cents"]}, rental.id
    assert summary[rentals[0].id]["arrears_cents"] > 0


def test_late_days_count_before_the_terms_are_fixed(app):
    """A rental returned late whose terms were never fixed: the list prices it as its ledger
    will, late days charged (and not those an advisor waived)."""
    platform = create_platform()
    late = create_money_rental(platform, kind="bike", start=date(2026, 3, 2), days=14,
                               status="returned", late_days=3,
                               returned_on=date(2026, 3, 19))
    waived = create_money_rental(platform, kind="bike", start=date(2026, 3, 2), days=14,
                                 status="returned", late_days=3, returned_on=date(2026, 3, 19),
                                 late_days_waived_reason="bus en grève")
    today = date(2026, 3, 24)
    summary = services.balances([late, waived], today)
    for rental in (late, waived):
        ledger = services.ledger(rental, today=today)
        assert summary[rental.id]["arrears_cents"] == ledger["arrears_cents"], rental.id
    assert summary[late.id]["arrears_cents"] > summary[waived.id]["arrears_cents"]
