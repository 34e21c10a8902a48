"""In the browser: a beneficiary pays a checkpoint's online payment with Stripe.js (localstripe's
stand-in), at 360 px, and the server re-reads the PaymentIntent before saying "Paiement reçu";
localstripe's signed webhook reaches the live server too.

localstripe serves a Stripe.js stand-in at `<localstripe>/js.stripe.com/v3/`: its card Element
is five plain text inputs, and its `confirmCardPayment` IGNORES the card typed: it only plays the
3-D Secure step (a "Complete / Fail authentication" box) on a PaymentIntent that is already
`requires_action`. So each test first puts the intent in that state the way Stripe would after
receiving a card that needs 3-D Secure (a 3DS test card attached and confirmed with the SDK);
the page, its JavaScript, the post-back and the server's re-read are the real ones.
"""

from __future__ import annotations

import itertools
import time

import pytest
import requests
import stripe

from mobility.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login, screenshot
from tests.payments.stripe_server import (
    STRIPE_KEY,
    WEBHOOK_SECRET,
    card,
    localstripe_url,  # noqa: F401  (session fixture)
)

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(own_live_server):
    """Each test gets its own copy of the demo: none depends on what another changed."""
    # these tests pay rentals
    return own_live_server


ADVISOR = "conseillere@demo.mobilite.fr"
PUBLISHABLE_KEY = "pk_test_localstripe"
THREE_D_SECURE_CARD = "4000002760003184"
_numbers = itertools.count(1)
STRIPE_SETTINGS = ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_PUBLISHABLE_KEY",
                   "STRIPE_JS_URL", "STRIPE_WEBHOOK_SECRET")


@pytest.fixture
def stripe_live(live_server, localstripe_url):  # noqa: F811
    """The live server talking to localstripe (API, Stripe.js stand-in, signed webhooks);
    the settings are restored afterwards."""
    config = live_server.app.config
    saved = {name: config.get(name) for name in STRIPE_SETTINGS}
    config.update(STRIPE_SECRET_KEY=STRIPE_KEY, STRIPE_API_BASE=localstripe_url,
                  STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
                  STRIPE_JS_URL=f"{localstripe_url}/js.stripe.com/v3/",
                  STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    hook = f"{localstripe_url}/_config/webhooks/pay-online-{live_server.url.rsplit(':', 1)[1]}"
    auth = {"Authorization": f"Bearer {STRIPE_KEY}"}
    requests.post(hook, json={"url": f"{live_server.url}/stripe/webhook",
                              "secret": WEBHOOK_SECRET,
                              "events": ["payment_intent.succeeded"]},
                  headers=auth, timeout=5).raise_for_status()
    try:
        yield localstripe_url
    finally:
        requests.post(hook, json={"url": f"{live_server.url}/stripe/webhook",
                                  "secret": WEBHOOK_SECRET, "events": []},
                      headers=auth, timeout=5)
        for name, value in saved.items():
            if value is None:
                config.pop(name, None)
            else:
                config[name] = value


def _person_with_online_payment(live_server, amount_cents: int = 1400) -> dict:
    """A beneficiary with a login, a bike rental and a pending online payment of it."""
    from datetime import timedelta

    from fleet.models import Rental, Site, Vehicle
    from mobility.auth.models import User
    from mobility.core.dates import local_today
    from mobility.core.db import db
    from mobility.payments import services
    from mobility.people.models import Beneficiary
    from mobility.platforms.models import Platform

    n = next(_numbers)
    with live_server.app.app_context():
        platform = db.session.query(Platform).filter_by(slug="riviera").one()
        advisor = db.session.query(User).filter_by(email=ADVISOR).one()
        site = db.session.query(Site).filter_by(platform_id=platform.id).first()
        stamp = f"{int(time.time() * 1000) % 10**7}{n}"
        user = User(email=f"paie{stamp}@example.org", role="beneficiary",
                    platform_id=platform.id, full_name=f"Nadia Paie{stamp}")
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
        person = Beneficiary(platform_id=platform.id, first_name="Nadia",
                             last_name=f"Paie{stamp}", address="2 rue Longue, Menton",
                             user_id=user.id)
        vehicle = Vehicle(platform_id=platform.id, site_id=site.id, kind="bike",
                          plate=f"VLO-{stamp}", odometer_km=0)
        db.session.add_all([person, vehicle])
        db.session.flush()
        rental = Rental(platform_id=platform.id, vehicle_id=vehicle.id,
                        beneficiary_id=person.id, start_date=local_today() - timedelta(days=7),
                        end_date=local_today() + timedelta(days=21), status="in_progress",
                        advisor_id=advisor.id)
        db.session.add(rental)
        db.session.commit()
        info = {"email": user.email, "rental_id": rental.id}
        if live_server.app.config.get("STRIPE_SECRET_KEY"):
            payment = services.record_payment(advisor, rental, amount_cents=amount_cents,
                                              method="stripe", paid_on=local_today())
            info.update(payment_id=payment.id, intent_id=payment.stripe_payment_intent_id)
        db.session.remove()
    return info


def _card_needing_3d_secure(stripe_base: str, intent_id: str) -> None:
    """What real Stripe.js does before its 3-D Secure box, which the stand-in skips."""
    stripe.api_base = stripe_base
    stripe.PaymentIntent.modify(intent_id, payment_method=card(stripe_base, THREE_D_SECURE_CARD),
                                api_key=STRIPE_KEY)
    intent = stripe.PaymentIntent.confirm(intent_id, api_key=STRIPE_KEY)
    assert intent.status == "requires_action"


def _payment(live_server, payment_id: int):
    from mobility.core.db import db
    from mobility.payments.models import Payment, StripeEvent

    with live_server.app.app_context():
        payment = db.session.get(Payment, payment_id)
        events = db.session.query(StripeEvent).filter_by(
            object_id=payment.stripe_payment_intent_id).all()
        result = (payment.status, [(e.type, e.outcome) for e in events])
        db.session.remove()
    return result


def _type_card(page) -> None:
    inputs = page.locator("#card-element input")
    assert inputs.count() == 5  # the stand-in's number, month, year, CVC, postal code
    for index, value in enumerate([THREE_D_SECURE_CARD, "12", "34", "123", "06500"]):
        inputs.nth(index).fill(value)


def _axe_outside_the_card_field(page) -> list[dict]:
    """axe-core on our page; the card field belongs to Stripe (an iframe with real Stripe.js,
    label-less inputs with the stand-in) and is left out."""
    from tests.browser.conftest import inject_axe

    inject_axe(page)
    result = page.evaluate("""async () => await axe.run({exclude: [['#card-element']]},
        {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_beneficiary_pays_online_at_360px_and_the_ledger_shows_it_paid(
        live_server, stripe_live, phone_page_fr):
    page = phone_page_fr
    person = _person_with_online_payment(live_server)
    _card_needing_3d_secure(stripe_live, person["intent_id"])
    browser_login(page, live_server, person["email"])

    # from the home page's "My payments" card
    link = page.locator("[data-testid=my-money] [data-testid=pay-online-link]")
    assert "Payer en ligne (14,00" in link.inner_text()
    link.click()
    page.wait_for_url(f"{live_server.url}/payments/online/{person['payment_id']}")
    assert "14,00" in page.locator("[data-testid=pay-amount]").inner_text()
    button = page.locator("[data-testid=pay-button]")
    button.wait_for(state="visible")
    page.wait_for_function("!document.getElementById('pay-button').disabled")
    assert button.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _axe_outside_the_card_field(page) == []
    _type_card(page)
    screenshot(page, "pay-online-form-360-fr")

    button.click()
    # the stand-in's 3-D Secure box
    page.get_by_role("button", name="Complete authentication").click()
    page.locator("[data-testid=pay-paid]").wait_for()
    assert page.locator("h1").inner_text() == "Paiement reçu"
    assert "Merci : votre paiement a bien été reçu." in page.locator(".flashes").inner_text()
    screenshot(page, "pay-online-paid-360-fr")

    # the server re-read it: stored as paid, and the ledger says so
    status, _events = _payment(live_server, person["payment_id"])
    assert status == "succeeded"
    page.goto(f"{live_server.url}/payments/rentals/{person['rental_id']}")
    assert "Payé" in page.locator("[data-testid=payments]").inner_text()
    assert "14,00" in page.locator("[data-testid=paid]").inner_text()
    assert page.locator("[data-testid=pay-online-link]").count() == 0

    # localstripe's signed `payment_intent.succeeded` reached the live server as well
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        _status, events = _payment(live_server, person["payment_id"])
        if events:
            break
        time.sleep(0.3)
    assert events == [("payment_intent.succeeded", "payment:succeeded")]

    # the home page no longer offers to pay it
    page.goto(f"{live_server.url}/dashboard")
    assert page.locator("[data-testid=pay-online-link]").count() == 0


def test_a_failed_authentication_is_announced_and_nothing_is_paid(
        live_server, stripe_live, page_fr):
    page = page_fr
    person = _person_with_online_payment(live_server, amount_cents=700)
    _card_needing_3d_secure(stripe_live, person["intent_id"])
    browser_login(page, live_server, person["email"])
    page.goto(f"{live_server.url}/payments/online/{person['payment_id']}")
    page.wait_for_function("!document.getElementById('pay-button').disabled")
    _type_card(page)
    page.click("[data-testid=pay-button]")
    page.get_by_role("button", name="Fail authentication").click()
    errors = page.locator("[data-testid=card-errors]")
    errors.wait_for(state="visible")
    assert "n'a pas abouti" in errors.inner_text()
    assert errors.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "card-errors"
    assert page.locator("[data-testid=pay-button]").is_enabled()  # can try again
    screenshot(page, "pay-online-failed-fr")
    status, _ = _payment(live_server, person["payment_id"])
    assert status in ("pending", "failed")
    page.goto(f"{live_server.url}/payments/rentals/{person['rental_id']}")
    assert "0,00" in page.locator("[data-testid=paid]").inner_text()


def test_another_persons_payment_is_refused(live_server, stripe_live, page_fr):
    page = page_fr
    me = _person_with_online_payment(live_server)
    other = _person_with_online_payment(live_server)
    browser_login(page, live_server, me["email"])
    response = page.goto(f"{live_server.url}/payments/online/{other['payment_id']}")
    assert response.status in (403, 404)
    assert page.locator("[data-testid=pay-form]").count() == 0


def test_without_stripe_the_page_says_to_pay_in_person(live_server, stripe_live, page_fr):
    page = page_fr
    person = _person_with_online_payment(live_server)
    config = live_server.app.config
    config.pop("STRIPE_SECRET_KEY")
    config.pop("STRIPE_PUBLISHABLE_KEY")
    browser_login(page, live_server, person["email"])
    page.goto(f"{live_server.url}/payments/online/{person['payment_id']}")
    message = page.locator("[data-testid=pay-unavailable]")
    assert "paiement en ligne n'est pas disponible" in message.inner_text()
    assert page.locator("[data-testid=pay-form]").count() == 0
    assert page.locator("script[src*='js.stripe.com']").count() == 0
    screenshot(page, "pay-online-unavailable-fr")
