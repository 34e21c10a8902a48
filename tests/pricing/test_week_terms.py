"""The week terms kept on a rental's "Bougez" terms (what the activity report adds up in SQL)
always follow the terms' fields, and the bulk fill of older terms gives the engine's numbers."""

from datetime import date, timedelta

from sqlalchemy import select, update

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.platforms.models import Platform
from mobility.pricing.backfill import fill_week_terms
from mobility.pricing.engine import Situation, TariffRates, bougez_week_terms
from mobility.pricing.models import RentalTerms
from mobility.pricing.services import refresh_situation
from mobility.rentals.lifecycle import book
from tests.factories import (
    create_beneficiary,
    create_platform,
    create_rental,
    create_site,
    create_user,
    create_vehicle,
)

RATES = TariffRates(daily_rates_cents={"car": 640, "bike": 120}, rsa_reduction_pct=80,
                    qpv_reduction_pct=40, membership_fee_cents=1200)


def _terms(rental_id: int) -> RentalTerms:
    return db.session.scalar(select(RentalTerms).where(RentalTerms.rental_id == rental_id))


def test_a_booking_keeps_the_week_terms_of_its_vehicle_and_they_follow_the_situation(app):
    advisor = create_user("advisor")
    platform = db.session.get(Platform, advisor.platform_id)
    person = create_beneficiary(platform, receives_rsa=False, lives_in_qpv=True, ready=True)
    car = create_vehicle(create_site(platform), kind="car")
    start = local_today() + timedelta(days=2)
    rental = book(advisor, beneficiary_id=person.id, vehicle_id=car.id, start=start,
                  end=start + timedelta(days=14))
    terms = _terms(rental.id)
    expected = bougez_week_terms(terms.tariff_rates(), "car", terms.situation())
    assert terms.priced_kind == "car"
    assert (terms.daily_rate_cents, terms.reduction_pct, terms.first_fee_cents) == expected
    # the person's situation changes before signing: the terms, and their week terms, follow
    person.receives_rsa = True
    assert refresh_situation(terms, person)
    db.session.commit()
    terms = _terms(rental.id)
    assert terms.reduction_pct == bougez_week_terms(
        terms.tariff_rates(), "car", terms.situation())[1] != expected[1]


def test_amie_terms_and_a_refused_tariff_keep_no_week_terms(app):
    rental = create_rental(create_vehicle(kind="car"))
    terms = RentalTerms(platform_id=rental.platform_id, rental_id=rental.id, scheme="amie",
                        rates=RATES.to_dict(), priced_kind="car")
    db.session.add(terms)
    db.session.commit()
    assert (terms.daily_rate_cents, terms.reduction_pct, terms.first_fee_cents) == (None,) * 3
    terms.scheme = "bougez"
    terms.rates = {**RATES.to_dict(), "rsa_reduction_pct": 140}  # the engine refuses it
    db.session.commit()
    assert terms.daily_rate_cents is None
    terms.rates = RATES.to_dict()
    db.session.commit()
    assert terms.daily_rate_cents == 640


def test_the_bulk_fill_gives_older_terms_the_engines_week_terms(app):
    platform = create_platform()
    site = create_site(platform)
    people = [create_beneficiary(platform, receives_rsa=rsa, lives_in_qpv=qpv)
              for rsa in (False, True) for qpv in (False, True)]
    expected, amie = {}, None
    for i in range(12):
        kind = ("car", "bike")[i % 2]
        rental = create_rental(create_vehicle(site, kind=kind, plate=f"WT-{i}"), people[i % 4],
                               start_date=date(2026, 1, 5) + timedelta(days=i))
        situation = Situation(receives_rsa=people[i % 4].receives_rsa,
                              lives_in_qpv=people[i % 4].lives_in_qpv,
                              resources_band=("under_600", None)[i % 3 == 0],
                              membership_due=i % 5 == 0)
        scheme = "amie" if i == 7 else "bougez"
        db.session.add(RentalTerms(
            platform_id=platform.id, rental_id=rental.id, scheme=scheme, rates=RATES.to_dict(),
            receives_rsa=situation.receives_rsa, lives_in_qpv=situation.lives_in_qpv,
            resources_band=situation.resources_band, membership_due=situation.membership_due))
        if scheme == "amie":
            amie = rental.id
        else:
            expected[rental.id] = (kind, *bougez_week_terms(RATES, kind, situation))
    db.session.commit()
    # as terms written before the week terms were kept: nothing known
    db.session.execute(update(RentalTerms).values(priced_kind=None, daily_rate_cents=None,
                                                  reduction_pct=None, first_fee_cents=None))
    db.session.commit()
    assert fill_week_terms(db.session.connection()) >= 4
    db.session.commit()
    found = {t.rental_id: (t.priced_kind, t.daily_rate_cents, t.reduction_pct,
                           t.first_fee_cents)
             for t in db.session.scalars(select(RentalTerms))}
    assert found.pop(amie) == (None,) * 4
    assert found == expected
