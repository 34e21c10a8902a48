"""A reminder's sign-in link in a real browser: birth date, then the portal; the same link a
second time opens nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import accessibility_violations, screenshot


@pytest.fixture
def live_server(own_live_server):
    """Each test gets its own copy of the demo: none depends on what another changed."""
    # these tests sign people in (a first sign-in creates their account)
    return own_live_server


def _issue_link(live_server, target: str) -> tuple[str, str]:
    """A link for a demo beneficiary with a birth date, as the sender would issue it."""
    from mobility.core.db import db
    from mobility.people.models import Beneficiary
    from mobility.portal.models import SignInLink

    with live_server.app.app_context():
        person = db.session.scalars(select(Beneficiary).where(
            Beneficiary.birth_date.is_not(None)).order_by(Beneficiary.id)).first()
        row, token = SignInLink.issue(person, target_path=target)
        db.session.add(row)
        db.session.commit()
        birth = person.birth_date.isoformat()
        db.session.remove()
    return f"{live_server.url}/r/{token}", birth


def test_a_reminder_link_signs_in_once(live_server, chromium):
    url, birth = _issue_link(live_server, "/dashboard")
    context = chromium.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
    page = context.new_page()
    page.goto(url)
    assert accessibility_violations(page) == []
    screenshot(page, "portal-link-fr-desktop")
    page.fill("#birth_date", birth)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard")
    context.close()

    other = chromium.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
    page = other.new_page()
    response = page.goto(url)
    assert response.status == 410
    assert page.locator("[data-testid=link-dead]").is_visible()
    other.close()


def test_the_template_page_counts_segments(live_server, page_fr):
    from tests.browser.conftest import browser_login

    browser_login(page_fr, live_server, "admin@demo.mobilite.fr")
    page_fr.goto(f"{live_server.url}/notifications/templates")
    row = page_fr.locator("[data-testid=template-row][data-kind=checkpoint_reminder]")
    assert row.locator("[data-testid=segments]").get_attribute("data-segments") == "1"
    page_fr.fill("#text", "Rendez-vous demain 🚲 " * 4)
    page_fr.click("main form button[type=submit]")
    assert page_fr.locator("[data-testid=tried] [data-testid=segments]").get_attribute(
        "data-encoding") == "UCS-2"
    assert accessibility_violations(page_fr) == []
    screenshot(page_fr, "notifications-templates-fr-desktop")
