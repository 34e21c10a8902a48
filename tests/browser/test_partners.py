"""In Chromium, a prescriber signs in through the loopback OpenID provider (ProConnect's
stand-in), lands on their organisation's referrals and submits one; the referral reaches a
partner's webhook receiver, signed. The login and partner pages pass axe."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mobility.demo import DEMO_PASSWORD
from mobility.partners import proconnect
from mobility.partners.demo import DEMO_SIRETS
from tests.browser.conftest import (
    accessibility_violations,
    browser_login,
    screenshot,
    serve_demo_copy,
)
from tests.partners.oidc_provider import CLIENT_ID, CLIENT_SECRET, start_provider
from tests.partners.receiver import Receiver

PRESCRIBER = "referente@demo.mobilite.fr"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def proconnect_server(demo_database, tmp_path_factory):
    """The demo on its own live server, configured for the loopback provider."""
    folder = tmp_path_factory.mktemp("live-partners")
    with serve_demo_copy(demo_database, folder, WEBHOOK_ALLOW_LOOPBACK=True) as server:
        app = server.app
        provider = start_provider(folder, redirect_base=server.url, accounts={PRESCRIBER: {
            "email": PRESCRIBER, "given_name": "Nadia", "usual_name": "Rossi",
            "siret": DEMO_SIRETS["Mission locale Pays de Menton"]}})
        app.config.update(PROCONNECT_ISSUER=provider.issuer, PROCONNECT_CLIENT_ID=CLIENT_ID,
                          PROCONNECT_CLIENT_SECRET=CLIENT_SECRET, PUBLIC_BASE_URL=server.url)
        try:
            yield server.url, app, provider
        finally:
            provider.stop()
            with app.app_context():
                proconnect.forget_metadata()


def test_a_prescriber_signs_in_with_proconnect_and_refers_a_person(proconnect_server, page_fr):
    from mobility.auth.models import User
    from mobility.core.db import db
    from mobility.partners import webhooks

    base, app, provider = proconnect_server
    receiver = Receiver().start()
    try:
        with app.app_context():
            admin = db.session.scalar(select(User).where(User.role == "admin"))
            endpoint = webhooks.register_endpoint(admin, url=receiver.url,
                                                  events=["referral.created"])
            receiver.secret = endpoint.secret
        page = page_fr
        page.goto(f"{base}/login")
        assert accessibility_violations(page) == []
        screenshot(page, "partners-login-proconnect-fr-desktop")
        page.click("[data-testid=proconnect-login]")
        page.wait_for_url(re.compile(re.escape(provider.issuer) + r"/interaction/.*"))
        page.fill("#login", PRESCRIBER)
        page.fill("#password", "any")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/people/referrals")
        assert "Nadia Rossi" in page.locator("[data-testid=who]").inner_text()
        assert page.locator("html").get_attribute("lang") == "fr"
        assert accessibility_violations(page) == []

        page.goto(f"{base}/people/referrals/new")
        page.fill("#first_name", "Léa")
        page.fill("#last_name", "Viaproconnect")
        page.fill("#birth_date", "1999-04-05")
        page.select_option("#reason", "job_found")
        page.fill("#employer", "Hôtel de Paris")
        page.fill("#workplace_address", "Place du Casino, 98000 Monaco")
        page.fill("#address", "Avenue de Verdun, 06500 Menton")
        page.check("#obstacles-1")
        page.check("#consent")
        page.click("button:has-text('Envoyer l')")
        page.wait_for_url(re.compile(r".*/people/referrals/\d+$"))
        assert "En attente" in page.locator("[data-testid=referral-status]").inner_text()
        referral_id = int(page.url.rsplit("/", 1)[1])

        with app.app_context():
            assert webhooks.send_due_deliveries().delivered == 1
        [got] = receiver.received
        assert got["json"]["type"] == "referral.created"
        assert got["json"]["data"]["referral_id"] == referral_id
        assert "Viaproconnect" not in str(got)

        # signing out goes through the provider and comes back to the sign-in page
        page.click("[data-testid=logout]")
        page.wait_for_url(re.compile(r".*/login.*"))
    finally:
        receiver.stop()


def test_the_partner_pages_pass_axe(live_server, page_fr):
    page = browser_login(page_fr, live_server, "admin@demo.mobilite.fr", DEMO_PASSWORD)
    for path, name in (("/partners/webhooks", "webhooks"),
                       ("/partners/data-inclusion", "data-inclusion"),
                       ("/partners/sirets", "sirets"), ("/partners/proconnect", "proconnect")):
        page.goto(live_server.url + path)
        assert page.locator("h1").is_visible()
        assert accessibility_violations(page) == [], path
        screenshot(page, f"partners-{name}-fr-desktop")
