"""End to end in Chromium, across roles, in French and in English: a prescriber refers a person;
the advisor accepts, assesses, checks the commute, quotes, books a car, has the contract signed
and takes the deposit; the fleet manager hands the car over; the beneficiary signs in with a
one-time code received by SMS (the real outbox path, to a loopback SMS receiver) and sees the
rental and the next checkpoint; the advisor runs a checkpoint and prints the summary sheet; the
fleet manager takes the car back; the exit outcome reaches the prescriber.

Bad input in the browser: a wrong then expired code, a beneficiary typing another rental's id.

Each run creates its own person (unique name, phone and birth date) and its own car, so the
state left by other tests on the shared live server does not matter.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import select

from mobility.core.dates import local_today
from tests.browser.conftest import accessibility_violations, browser_login, screenshot
from tests.notifications.servers import sms_receiver  # noqa: F401  (fixture)
from tests.people.answers import LOW_ANSWERS

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(own_live_server):
    """Each test gets its own copy of the demo: none depends on what another changed."""
    # these tests refer, book, hand over and return
    return own_live_server


PRESCRIBER = "referente@demo.mobilite.fr"
ADVISOR = "conseillere@demo.mobilite.fr"
MANAGER = "parc@demo.mobilite.fr"
BENEFICIARY = "beneficiaire@demo.mobilite.fr"

TEXT = {
    "fr": {"pending": "En attente", "accepted": "Acceptée", "in_progress": "En cours",
           "returned": "Restituée", "deposit": "Caution détenue",
           "licence_refused": "Enregistrez le permis B de la personne",
           "checkpoint_done": "Le point étape a été enregistré.", "sheet": "Fiche récapitulative",
           "attempts": "Essais restants : 4.", "expired": "Ce code a expiré"},
    "en": {"pending": "Waiting", "accepted": "Accepted", "in_progress": "In progress",
           "returned": "Returned", "deposit": "Deposit held",
           "licence_refused": "Record the person's B licence",
           "checkpoint_done": "The checkpoint was recorded.", "sheet": "Summary sheet",
           "attempts": "Attempts left: 4.", "expired": "This code has expired"},
}


@pytest.fixture
def sms_live(live_server, sms_receiver):  # noqa: F811
    """Point the live server at the loopback SMS receiver for one test, then back."""
    config = live_server.app.config
    keys = ("SMS_ENDPOINT_URL", "SMS_API_KEY", "SMS_TIMEOUT_S")
    saved = {k: config.get(k) for k in keys}
    config.update(SMS_ENDPOINT_URL=sms_receiver.url, SMS_API_KEY="test-key", SMS_TIMEOUT_S=2)
    yield sms_receiver
    config.update(saved)


def _unique_person() -> dict:
    """A name, phone number and birth date no other test uses."""
    letters = "".join(c for c in uuid.uuid4().hex if c.isalpha())[:6].ljust(6, "x")
    rng = random.Random(uuid.uuid4().int)
    # 06 40 to 06 89: mobile numbers that are allocated (phonenumbers refuses the others)
    return {"first": "Inès", "last": f"Parcours{letters.capitalize()}",
            "phone": f"06 {rng.randint(40, 89)} " + " ".join(
                f"{rng.randint(0, 99):02d}" for _ in range(3)),
            "birth": date(1960, 1, 1) + timedelta(days=rng.randint(0, 14000))}


def refer_through_the_form(page, url: str, person: dict) -> str:
    """The prescriber (signed in on `page`) fills in the referral form for `person`; returns
    the referral's page."""
    page.goto(f"{url}/people/referrals/new")
    page.fill("#first_name", person["first"])
    page.fill("#last_name", person["last"])
    page.fill("#birth_date", person["birth"].isoformat())
    page.fill("#phone", person["phone"])
    page.select_option("#reason", "job_found")
    page.fill("#employer", "Café de Paris")
    page.fill("#workplace_address", "Place du Casino, 98000 Monaco")
    page.fill("#address", "Avenue de Verdun, 06360 Èze")
    page.check("#obstacles-1")
    page.check("#consent")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/people/referrals/\d+$"))
    return page.url


def _new_car(live_server) -> dict:
    """A car of our own at a demo site, so that the booking never meets another test's."""
    from fleet.models import Site, Vehicle
    from mobility.core.db import db
    from mobility.platforms.models import Platform

    with live_server.app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "riviera"))
        site = db.session.scalar(select(Site).where(Site.platform_id == platform.id)
                                 .order_by(Site.id))
        plate = "E2E-" + uuid.uuid4().hex[:6].upper()
        on_the_road = local_today() + timedelta(days=365)
        car = Vehicle(platform_id=platform.id, site_id=site.id, kind="car", plate=plate,
                      odometer_km=30000, licence_category="B", insurance_expires_on=on_the_road,
                      technical_inspection_expires_on=on_the_road)
        db.session.add(car)
        db.session.commit()
        info = {"id": car.id, "plate": plate}
        db.session.remove()
    return info


def _code_from(receiver, phone: str) -> str:
    digits = re.sub(r"\D", "", phone)[-8:]
    for request in reversed(receiver.requests):
        payload = request["json"]
        if re.sub(r"\D", "", str(payload.get("to", "")))[-8:] == digits:
            return re.search(r"\b(\d{6})\b", payload["text"]).group(1)
    raise AssertionError(f"no SMS was sent to {phone}: {receiver.requests}")


def _answer_grid(page, answers) -> None:
    for key, value in answers.items():
        if isinstance(value, list):
            for box in page.locator(f"input[type=checkbox][name={key}]").all():
                if box.get_attribute("value") in value:
                    box.check()
                else:
                    box.uncheck()
        else:
            page.check(f"#{key}-{value}")


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r".*/login"))


def _request_code(page, url: str, person: dict) -> None:
    page.goto(f"{url}/portal/login")
    page.fill("#contact", person["phone"])
    page.fill("#birth_date", person["birth"].isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/portal/code")


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_from_referral_to_return_across_roles(live_server, request, sms_live, locale):
    page = request.getfixturevalue(f"page_{locale}")
    text = TEXT[locale]
    url = live_server.url
    person = _unique_person()
    full_name = f"{person['first']} {person['last']}"
    car = _new_car(live_server)
    today = local_today()
    end = today + timedelta(days=28)

    # 1. the prescriber refers the person
    browser_login(page, live_server, PRESCRIBER)
    referral_url = refer_through_the_form(page, url, person)
    assert text["pending"] in page.locator("[data-testid=referral-status]").inner_text()
    _logout(page)

    # 2. the advisor accepts it, records the entry assessment, checks the commute
    browser_login(page, live_server, ADVISOR)
    page.goto(referral_url)
    page.click("[data-testid=accept]")
    page.wait_for_url(re.compile(r".*/people/beneficiaries/\d+$"))
    file_url = page.url
    person_id = int(file_url.rsplit("/", 1)[1])
    page.goto(f"{url}/people/beneficiaries/{person_id}/assessments/new")
    _answer_grid(page, LOW_ANSWERS)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/people/assessments/\d+$"))
    assert page.locator("[data-testid=mobility-potential]").is_visible()
    page.goto(f"{url}/commute/beneficiaries/{person_id}")
    page.click("[data-testid=commute-submit]")
    page.wait_for_selector("[data-testid=commute-table]")

    # 3. quote, booking of our car, contract signed on screen, deposit by cheque
    page.goto(f"{url}/pricing/quote?beneficiary_id={person_id}")
    page.select_option("#kind", "car")
    page.fill("#start", today.isoformat())
    page.fill("#end", end.isoformat())
    page.click("[data-testid=quote-form] button[type=submit]")
    expect(page.locator("[data-testid=quote-total]")).to_contain_text("€")
    # "Réserver ce devis": the availability page books for the quoted person, kind and dates
    page.click("[data-testid=book-quote]")
    page.wait_for_selector("[data-testid=booking-person]")
    availability = page.url
    row = page.locator("[data-testid=free-vehicles] li", has_text=car["plate"])
    row.locator("button[type=submit]").click()
    # no driving licence on the file: the booking is refused, saying what to do
    page.wait_for_url(re.compile(r".*/fleet/availability.*"))
    assert text["licence_refused"] in page.locator(".flash-error").first.inner_text()
    page.goto(f"{file_url}/edit")
    page.check("#has_licence_b")
    page.fill("#licence_b_since", "2015-05-04")
    page.click("main form button[type=submit]")
    page.wait_for_url(file_url)
    page.goto(availability)
    row = page.locator("[data-testid=free-vehicles] li", has_text=car["plate"])
    row.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/fleet/rentals/\d+$"))
    rental_id = int(page.url.rsplit("/", 1)[1])
    page.goto(f"{url}/contracts/rentals/{rental_id}")
    page.fill("#signer_name", full_name)
    page.check("#accepted")
    page.click("[data-testid=sign-form] button[type=submit]")
    expect(page.locator("[data-testid=contract-signed]")).to_be_visible()
    page.goto(f"{url}/payments/rentals/{rental_id}/deposit")
    page.select_option("#method", "cheque")
    page.fill("#reference", "CHQ 0777")
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=deposit-status]")).to_have_text(text["deposit"])
    _logout(page)

    # 4. the fleet manager hands the car over
    browser_login(page, live_server, MANAGER)
    page.goto(f"{url}/fleet/rentals/{rental_id}")
    page.fill("#odometer_km", "30010")
    for box in page.locator("input[name=checklist]").all():
        box.check()
    page.click(f"form[action$='/rentals/{rental_id}/check_out'] button[type=submit]")
    page.wait_for_url(f"{url}/fleet/rentals/{rental_id}")
    assert text["in_progress"] in page.locator("[data-testid=rental-status]").inner_text()
    _logout(page)

    # 5. the beneficiary signs in with the code sent by SMS and sees the car and checkpoint
    _request_code(page, url, person)
    page.fill("#code", _code_from(sms_live, person["phone"]))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/dashboard")
    assert car["plate"] in page.locator("[data-testid=my-rental]").inner_text()
    next_checkpoint = format_date(today + timedelta(days=7), "full", locale=locale)
    assert next_checkpoint in page.locator("[data-testid=my-checkpoint]").inner_text()
    assert page.locator("[data-testid=my-contract] a").first.is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, f"e2e-beneficiary-home-{locale}-desktop")
    _logout(page)

    # 6. the advisor sees the checkpoint coming, runs it, prints the summary sheet
    browser_login(page, live_server, ADVISOR)
    assert full_name in page.locator("[data-testid=panel-checkpoints]").inner_text()
    page.goto(f"{url}/checkpoints/rentals/{rental_id}")
    page.fill("#date", today.isoformat())
    page.fill("#odometer_km", "30060")
    page.fill("#amount", "35")
    page.select_option("#method", "cash")
    page.fill("#exit_solution", "Achat d'une voiture d'occasion")
    page.fill("#note", "Note interne : ne pas transmettre")
    for answer in page.locator("[data-testid=checklist] input[value=ok]").all():
        answer.check()  # nothing is pre-ticked: every item is answered
    page.click("[data-testid=checkpoint-form] button[type=submit]")
    expect(page.locator(".flashes")).to_contain_text(text["checkpoint_done"])
    page.goto(file_url)
    page.click("[data-testid=summary-sheet-link]")
    page.wait_for_url(f"{url}/portal/beneficiaries/{person_id}/sheet")
    sheet = page.locator("[data-testid=summary-sheet]")
    assert text["sheet"] in sheet.locator("h1").inner_text()
    assert car["plate"] in sheet.inner_text() and full_name in sheet.inner_text()
    assert accessibility_violations(page) == []
    screenshot(page, f"e2e-summary-sheet-{locale}-desktop")
    _logout(page)

    # 7. the fleet manager takes the car back
    browser_login(page, live_server, MANAGER)
    page.goto(f"{url}/fleet/rentals/{rental_id}")
    page.fill("#odometer_km", "30075")
    page.click(f"form[action$='/rentals/{rental_id}/check_in'] button[type=submit]")
    page.wait_for_url(f"{url}/fleet/rentals/{rental_id}")
    assert text["returned"] in page.locator("[data-testid=rental-status]").inner_text()
    _logout(page)

    # 8. the advisor records the exit; the prescriber sees the status and the outcome
    browser_login(page, live_server, ADVISOR)
    page.goto(file_url)
    page.locator("details:has(form[action$='/exit']) > summary").click()
    page.fill("#exit-exit_date", today.isoformat())
    page.select_option("#exit-reason", "solution_found")
    page.select_option("#exit-solution", "own_car")
    page.select_option("#exit-employment", "permanent")
    page.click("form[action$='/exit'] button[type=submit]")
    page.wait_for_url(file_url)
    _logout(page)
    browser_login(page, live_server, PRESCRIBER)
    page.goto(referral_url)
    assert text["accepted"] in page.locator("[data-testid=referral-status]").inner_text()
    outcome = page.locator("[data-testid=exit-outcome]").inner_text()
    assert format_date(today, "medium", locale=locale)[:2] in outcome
    assert "Achat d'une voiture d'occasion" in page.locator("[data-testid=feedback]").inner_text()
    main = page.locator("main").inner_text()
    for private in ("RSA", "Note interne", "ne pas transmettre"):
        assert private not in main, private


def test_wrong_then_expired_code_in_the_browser(live_server, page_fr, sms_live):
    """Five tries at most, each wrong one says how many are left; then a new code is needed."""
    from mobility.core.db import db
    from mobility.people.models import Beneficiary
    from mobility.platforms.models import Platform
    from mobility.platforms.phones import normalise_phone
    from mobility.portal.models import OneTimeCode

    person = _unique_person()
    with live_server.app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "riviera"))
        db.session.add(Beneficiary(platform_id=platform.id, first_name=person["first"],
                                   last_name=person["last"],
                                   phone=normalise_phone(person["phone"], "FR"),  # as stored
                                   birth_date=person["birth"]))
        db.session.commit()
        db.session.remove()
    page = page_fr
    url = live_server.url
    _request_code(page, url, person)
    code = _code_from(sms_live, person["phone"])
    wrong = "000000" if code != "000000" else "111111"
    page.fill("#code", wrong)
    page.click("main form button[type=submit]")
    expect(page.locator("#code-error")).to_contain_text(TEXT["fr"]["attempts"])
    assert page.locator("#code").get_attribute("aria-invalid") == "true"
    assert accessibility_violations(page) == []
    screenshot(page, "portal-wrong-code-fr-desktop")
    for _ in range(4):
        page.fill("#code", wrong)
        page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/portal/login")
    assert TEXT["fr"]["expired"] in page.locator(".flashes").inner_text()
    # the right code no longer helps: the challenge is gone
    page.goto(f"{url}/portal/code")
    assert page.url == f"{url}/portal/login"

    # a fresh code that expires before it is typed
    _request_code(page, url, person)
    code = _code_from(sms_live, person["phone"])
    with live_server.app.app_context():
        from mobility.core.columns import utcnow

        row = db.session.scalar(select(OneTimeCode).order_by(OneTimeCode.id.desc()).limit(1))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    page.fill("#code", code)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/portal/login")
    assert TEXT["fr"]["expired"] in page.locator(".flashes").inner_text()
    page.goto(f"{url}/dashboard")
    assert "/login" in page.url  # still signed out


def test_beneficiary_cannot_open_another_rental(live_server, page_fr):
    """Typing another person's rental id into the address bar shows an error page (403 or
    404), nothing of theirs."""
    from fleet.models import Rental
    from mobility.auth.models import User
    from mobility.core.db import db
    from mobility.people.models import Beneficiary

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == BENEFICIARY))
        mine = db.session.scalar(select(Beneficiary.id).where(Beneficiary.user_id == user.id))
        other = db.session.scalar(select(Rental).where(Rental.beneficiary_id != mine)
                                  .order_by(Rental.id).limit(1))
        other_id, other_name = other.id, other.beneficiary.full_name
        db.session.remove()
    page = browser_login(page_fr, live_server, BENEFICIARY)
    for path in (f"/payments/rentals/{other_id}", f"/contracts/rentals/{other_id}",
                 f"/contracts/rentals/{other_id}/contract.pdf",
                 f"/checkpoints/rentals/{other_id}", f"/fleet/rentals/{other_id}"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status in (403, 404), path
        assert other_name not in page.content(), path
        assert page.locator(".error-status").is_visible(), path
    assert accessibility_violations(page) == []
