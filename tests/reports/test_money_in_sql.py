"""The report's money sums run in SQL for "Bougez" rentals: they must equal, to the cent,
pricing every rental with the engine (`quote`), whatever the tariff, terms and situation."""

from __future__ import annotations

import random
from datetime import date, timedelta

from mobility.core.db import db
from mobility.payments.models import Payment
from mobility.pricing.engine import Situation, TariffRates, bougez_week_terms, quote
from mobility.pricing.models import RentalTerms, Tariff
from mobility.reports.amounts import (
    AMOUNTS_SLICES,
    invoiced_and_outstanding,
    invoiced_and_outstanding_alongside,
    money,
)
from tests.factories import (
    create_amie_beneficiary,
    create_platform,
    create_rental,
    create_site,
    create_vehicle,
)

START, END = date(2025, 1, 1), date(2025, 12, 31)
KINDS = ("bike", "e_bike", "scooter", "moped", "car")


def _expected(rentals) -> tuple[int, int]:
    invoiced = outstanding = 0
    for rates, situation, kind, first, last, paid in rentals:
        result = quote(rates, kind=kind, start=first, end=last, situation=situation)
        due = 0
        for item in result.instalments:
            if START <= item.due_date <= END:
                invoiced += item.amount_cents
            if item.due_date <= END:
                due += item.amount_cents
        outstanding += max(0, due - paid)
    return invoiced, outstanding


def test_money_sums_in_sql_equal_the_engine_rental_by_rental(app):
    rng = random.Random(5)
    platform = create_platform()
    old = TariffRates(daily_rates_cents={"car": 700, "scooter": 300, "moped": 300, "bike": 150,
                                         "e_bike": 130}, qpv_reduction_pct=33,
                      rsa_reduction_pct=75, membership_fee_cents=1500)
    new = TariffRates(daily_rates_cents={"car": 510, "scooter": 190, "moped": 230, "bike": 90,
                                         "e_bike": 110}, qpv_reduction_pct=50,
                      rsa_reduction_pct=100, membership_fee_cents=900)
    db.session.add_all([
        Tariff(platform_id=platform.id, name="2024", effective_from=date(2024, 1, 1),
               effective_until=date(2025, 6, 1), rates=old.to_dict()),
        Tariff(platform_id=platform.id, name="2025", effective_from=date(2025, 6, 1),
               rates=new.to_dict())])
    db.session.commit()
    site = create_site(platform)
    people = [create_amie_beneficiary(platform, pathway=False, receives_rsa=rsa, lives_in_qpv=qpv)
              for rsa in (False, True) for qpv in (False, True)]
    reference = []
    for i in range(80):
        kind = KINDS[i % 5]
        vehicle = create_vehicle(site, kind=kind, plate=f"MS-{i}")
        person = people[i % 4]
        # periods across both tariffs and both ends of the year, some over a year long
        first = START + timedelta(days=rng.randint(-200, 360))
        last = first + timedelta(days=rng.choice((1, 6, 7, 8, 13, 14, 15, 30, 91, 400)))
        rental = create_rental(vehicle, person, start_date=first, end_date=last,
                               status="returned" if last < END else "in_progress")
        paid = rng.choice((0, 0, 700, 5_000, 100_000))
        if paid:
            db.session.add(Payment(platform_id=platform.id, rental_id=rental.id,
                                   amount_cents=paid, method="cash", status="succeeded",
                                   paid_on=min(last, END)))
        if i % 3 == 0:  # terms fixed at booking: their own snapshot and situation
            rates = new if i % 2 else old
            situation = Situation(receives_rsa=bool(i % 4 == 0), lives_in_qpv=bool(i % 5 == 0),
                                  membership_due=bool(i % 2))
            # their week terms kept for the vehicle's kind, or not known (terms written
            # before them), or kept for another kind (the vehicle changed since)
            priced_kind = None if i % 9 == 0 else "car" if i % 6 == 3 and kind != "car" \
                else kind
            db.session.add(RentalTerms(platform_id=platform.id, rental_id=rental.id,
                                       scheme="bougez", rates=rates.to_dict(),
                                       receives_rsa=situation.receives_rsa,
                                       lives_in_qpv=situation.lives_in_qpv,
                                       membership_due=situation.membership_due,
                                       priced_kind=priced_kind))
        else:  # not fixed yet: the tariff in force at the start, the person's situation
            rates = old if first < date(2025, 6, 1) else new
            rates = rates if first >= date(2024, 1, 1) else TariffRates()
            situation = Situation(receives_rsa=person.receives_rsa,
                                  lives_in_qpv=person.lives_in_qpv)
        if first <= END and last > START:  # the rentals of the period
            reference.append((rates, situation, kind, first, last, paid))
    db.session.commit()
    result = money([platform.id], START, END)
    assert (result["invoiced_cents"], result["outstanding_cents"]) == _expected(reference)
    assert result["rentals_priced"] == len(reference) > 40
    # the report reads them in slices of vehicles, at once on other connections: same sums
    whole = {name: result[name] for name in ("invoiced_cents", "outstanding_cents",
                                             "rentals_priced")}
    assert invoiced_and_outstanding_alongside([platform.id], START, END)() == whole


def test_the_slices_of_vehicles_share_the_rentals_out(app):
    platform = create_platform()
    db.session.add(Tariff(platform_id=platform.id, name="2025", effective_from=date(2024, 1, 1),
                          rates=TariffRates(daily_rates_cents={"bike": 150}).to_dict()))
    db.session.commit()
    site = create_site(platform)
    person = create_amie_beneficiary(platform, pathway=False, receives_rsa=False)
    vehicles = [create_vehicle(site, kind="bike", plate=f"SL-{i}") for i in range(7)]
    for i, vehicle in enumerate(vehicles):
        create_rental(vehicle, person, start_date=START + timedelta(days=10 * i),
                      end_date=START + timedelta(days=10 * i + 8), status="returned")
    ids = sorted(v.id for v in vehicles)
    cuts = [ids[0] + (ids[-1] + 1 - ids[0]) * i // AMOUNTS_SLICES
            for i in range(AMOUNTS_SLICES + 1)]
    slices = [invoiced_and_outstanding([platform.id], START, END, (cuts[i], cuts[i + 1]))
              for i in range(AMOUNTS_SLICES)]
    assert all(part["rentals_priced"] > 0 for part in slices)
    assert sum(part["rentals_priced"] for part in slices) == 7
    whole = invoiced_and_outstanding([platform.id], START, END)
    assert sum(part["invoiced_cents"] for part in slices) == whole["invoiced_cents"] > 0
    assert invoiced_and_outstanding_alongside([platform.id], START, END)() == whole


def test_bougez_week_terms_match_the_quote_instalments():
    rng = random.Random(9)
    for _ in range(300):
        rates = TariffRates(daily_rates_cents={k: rng.randint(0, 999) for k in KINDS},
                            rsa_reduction_pct=rng.randint(0, 100),
                            qpv_reduction_pct=rng.randint(0, 100),
                            membership_fee_cents=rng.choice((0, 1000)))
        situation = Situation(receives_rsa=rng.random() < .5, lives_in_qpv=rng.random() < .5,
                              membership_due=rng.random() < .5)
        kind, days = rng.choice(KINDS), rng.randint(1, 120)
        first = date(2025, 1, 1) + timedelta(days=rng.randint(0, 300))
        result = quote(rates, kind=kind, start=first, end=first + timedelta(days=days),
                       situation=situation)
        rate, pct, fee = bougez_week_terms(rates, kind, situation)
        covered = 0
        total = 0
        for item in result.instalments:
            covered = (item.due_date - first).days
            total += item.amount_cents
            assert total == rate * covered * (100 - pct) // 100 + fee
