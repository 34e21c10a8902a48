"""In the browser: quote, contract, deposit, four checkpoints (one over the mileage allowance),
return with part of the deposit kept, a balanced ledger; an AMIE rental's ladder."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(own_live_server):
    """Each test gets its own copy of the demo: none depends on what another changed."""
    # these tests hand over, check and return rentals
    return own_live_server


ADVISOR = "conseillere@demo.mobilite.fr"


def _setup(live_server, *, days_ago: int, days: int, kind: str = "car") -> dict:
    """A person (with an open pathway) and a car rented for `days` from `days_ago` days ago,
    handed over at 20,000 km (the fleet pages' part, done here through the fleet models)."""
    from fleet.models import Inspection, Rental, Site, Vehicle
    from mobility.core.dates import local_today
    from mobility.core.db import db
    from mobility.people.models import Beneficiary, Pathway
    from mobility.platforms.models import Platform

    with live_server.app.app_context():
        platform = db.session.query(Platform).filter_by(slug="riviera").one()
        site = db.session.query(Site).filter_by(platform_id=platform.id).first()
        n = db.session.query(Vehicle).count() + 1
        vehicle = Vehicle(platform_id=platform.id, site_id=site.id, kind=kind,
                          plate=f"PAY-{n:03d}-TS", odometer_km=20000)
        from mobility.organisations.models import Referent

        referent = db.session.query(Referent).filter_by(platform_id=platform.id).first()
        # followed, licensed and under contract: eligible to AMIE as to Bougez
        person = Beneficiary(platform_id=platform.id, first_name="Inès",
                             last_name=f"Payet{n}", address="5 rue Partouneaux, Menton",
                             resources_band="under_600", birth_date=date(1990, 1, 1),
                             has_licence_b=True, licence_b_since=date(2015, 1, 1),
                             employment_kind="job", contract_type="permanent",
                             contract_start=local_today() - timedelta(days=30),
                             referent_id=referent.id, obstacles=["no_vehicle"])
        db.session.add_all([vehicle, person])
        db.session.add(Pathway(platform_id=platform.id, beneficiary=person, status="open",
                               opened_on=local_today() - timedelta(days=days_ago + 10)))
        db.session.flush()
        start = local_today() - timedelta(days=days_ago)
        rental = Rental(platform_id=platform.id, vehicle_id=vehicle.id,
                        beneficiary_id=person.id, start_date=start,
                        end_date=start + timedelta(days=days), status="in_progress",
                        daily_mileage_allowance_km=40.0)
        db.session.add(rental)
        db.session.flush()
        db.session.add(Inspection(platform_id=platform.id, rental_id=rental.id,
                                  vehicle_id=vehicle.id, kind="check_out", odometer_km=20000,
                                  checklist={}, inspected_at=datetime.combine(
                                      start, datetime.min.time(), tzinfo=UTC)))
        db.session.commit()
        info = {"rental_id": rental.id, "name": person.full_name, "person_id": person.id,
                "start": start}
        db.session.remove()
    return info


def _return_vehicle(live_server, rental_id: int) -> None:
    """The fleet manager's check-in (fleet service), on the return date."""
    from fleet import services as fleet
    from fleet.models import Rental
    from mobility.auth.models import User
    from mobility.core.db import db

    with live_server.app.app_context():
        manager = db.session.query(User).filter_by(email="parc@demo.mobilite.fr").one()
        rental = db.session.get(Rental, rental_id)
        fleet.check_in(manager, rental, odometer_km=20900, checklist={},
                       damage_notes="Rétroviseur gauche cassé")
        db.session.remove()


def test_advisor_runs_a_rental_from_quote_to_a_balanced_ledger(live_server, page_fr):
    page = page_fr
    rental = _setup(live_server, days_ago=28, days=28)
    url = live_server.url
    browser_login(page, live_server, ADVISOR)

    # quote
    page.goto(f"{url}/pricing/quote?beneficiary_id={rental['person_id']}")
    page.select_option("#kind", "car")
    page.fill("#start", rental["start"].isoformat())
    page.fill("#end", (rental["start"] + timedelta(days=28)).isoformat())
    page.click("[data-testid=quote-form] button[type=submit]")
    expect(page.locator("[data-testid=quote-total]")).to_contain_text("150,00")
    screenshot(page, "payments-quote-fr")

    # contract: signed on screen by the beneficiary
    page.goto(f"{url}/contracts/rentals/{rental['rental_id']}")
    page.fill("#signer_name", rental["name"])
    page.check("#accepted")
    page.click("[data-testid=sign-form] button[type=submit]")
    expect(page.locator("[data-testid=contract-signed]")).to_be_visible()
    with page.expect_download() as download:
        page.click("[data-testid=contract-pdf]")
    assert download.value.suggested_filename.endswith(".pdf")

    # deposit: a cheque kept
    page.goto(f"{url}/payments/rentals/{rental['rental_id']}/deposit")
    page.select_option("#method", "cheque")
    page.fill("#reference", "CHQ 0042")
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=deposit-status]")).to_have_text("Caution détenue")

    # four weekly checkpoints; the second is over the allowance (40 km x 5 days = 200 km)
    readings = [(7, 20150, "45"), (14, 20600, "35"), (21, 20750, "35"), (28, 20880, "35")]
    for offset, km, amount in readings:
        page.goto(f"{url}/checkpoints/rentals/{rental['rental_id']}")
        page.fill("#date", (rental["start"] + timedelta(days=offset)).isoformat())
        page.fill("#odometer_km", str(km))
        page.fill("#amount", amount)
        page.select_option("#method", "cash")
        page.fill("#exit_solution", "Recherche d'une voiture d'occasion")
        for answer in page.locator("[data-testid=checklist] input[value=ok]").all():
            answer.check()  # nothing is pre-ticked: every item is answered
        page.click("[data-testid=checkpoint-form] button[type=submit]")
        expect(page.locator(".flashes")).to_contain_text("Le point étape a été enregistré.")
    assert page.locator("[data-testid=over-allowance]").count() == 1
    screenshot(page, "payments-checkpoints-fr")

    # return, then keep part of the deposit for the documented damage
    _return_vehicle(live_server, rental["rental_id"])
    page.goto(f"{url}/payments/rentals/{rental['rental_id']}/deposit")
    page.fill("#amount", "60")
    page.fill("#damage_note", "Rétroviseur gauche cassé (état des lieux de retour)")
    page.click("form[action$='/deposit/keep'] button[type=submit]")
    expect(page.locator("[data-testid=deposit]")).to_contain_text("retenu")

    page.goto(f"{url}/payments/rentals/{rental['rental_id']}")
    assert page.locator("[data-testid=balanced]").is_visible()
    assert "0,00" in page.locator("[data-testid=arrears]").inner_text()
    screenshot(page, "payments-ledger-fr")


def test_amie_rental_shows_its_five_month_ladder_and_the_microcredit(live_server, page_fr):
    page = page_fr
    rental = _setup(live_server, days_ago=0, days=150)
    browser_login(page, live_server, ADVISOR)
    page.goto(f"{live_server.url}/payments/rentals/{rental['rental_id']}")
    page.select_option("#scheme", "amie")
    page.click("form[action$='/scheme'] button[type=submit]")
    rows = page.locator("[data-testid=quote-instalments] tbody tr")
    assert rows.count() == 5
    assert page.locator("[data-testid=microcredit]").is_visible()
    assert "microcrédit" in page.locator("[data-testid=microcredit]").inner_text()
    screenshot(page, "payments-amie-ladder-fr")
