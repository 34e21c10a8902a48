"""Every main page of every role, in Chromium, at 1280 px and at 360 px (a small phone): the
full axe-core run (WCAG 2.1 A/AA) finds no serious or critical violation at either width, the
phone page does not scroll sideways (wide tables scroll inside their own box, main lists become
cards), and a screenshot of each page at each width goes to the artifacts.

One test per role and width collects every page's problems before failing, so a run lists them
all at once.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.browser.conftest import accessibility_violations, browser_login, screenshot

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "admin": "admin@demo.mobilite.fr",
    "advisor": "conseillere@demo.mobilite.fr",
    "fleet_manager": "parc@demo.mobilite.fr",
    "prescriber": "referente@demo.mobilite.fr",
    "beneficiary": "beneficiaire@demo.mobilite.fr",
}


def _ids(live_server) -> dict:
    """Demo records the pages below open: a person, their rental, a vehicle, a referral..."""
    from fleet.models import Rental, Vehicle
    from mobility.auth.models import User
    from mobility.core.db import db
    from mobility.people.models import Beneficiary, Referral

    with live_server.app.app_context():
        prescriber = db.session.scalar(select(User).where(User.email == ACCOUNTS["prescriber"]))
        me = db.session.scalar(select(User).where(User.email == ACCOUNTS["beneficiary"]))
        mine = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == me.id))
        rental = db.session.scalar(select(Rental).where(Rental.status == "in_progress")
                                   .order_by(Rental.id))
        own_rental = db.session.scalar(select(Rental).where(Rental.beneficiary_id == mine.id)
                                       .order_by(Rental.id))
        ids = {
            "person": rental.beneficiary_id, "rental": rental.id,
            "vehicle": rental.vehicle_id, "own_rental": own_rental.id if own_rental else None,
            "immobilised": db.session.scalar(select(Vehicle.id).where(
                Vehicle.status == "immobilised").order_by(Vehicle.id)),
            "referral": db.session.scalar(select(Referral.id).where(
                Referral.organisation_id == prescriber.organisation_id).order_by(Referral.id)),
        }
        db.session.remove()
    return ids


def _pages(role: str, ids: dict) -> list[str]:
    pages = {
        "admin": ["/dashboard", "/admin/users", "/admin/audit", "/admin/lender",
                  "/people/organisations", "/people/settings", "/pricing/tariffs", "/admin/jobs",
                  "/notifications/outbox", "/reports/activity"],
        "advisor": ["/dashboard", "/people/referrals", "/people/beneficiaries",
                    f"/people/beneficiaries/{ids['person']}", "/people/workshops",
                    "/fleet/availability", "/fleet/rentals", f"/fleet/rentals/{ids['rental']}",
                    "/pricing/quote", "/payments/rentals", f"/payments/rentals/{ids['rental']}",
                    f"/payments/rentals/{ids['rental']}/deposit",
                    f"/checkpoints/rentals/{ids['rental']}",
                    f"/contracts/rentals/{ids['rental']}", "/notifications/tasks",
                    f"/portal/beneficiaries/{ids['person']}/sheet", "/commute/check",
                    "/fleet/carpool", "/fleet/minibus", "/account/phone"],
        "fleet_manager": ["/dashboard", "/fleet/vehicles", f"/fleet/vehicles/{ids['vehicle']}",
                          "/fleet/returns", "/fleet/maintenance", "/fleet/sites",
                          f"/fleet/rentals/{ids['rental']}", "/fleet/carpool", "/fleet/minibus"]
        + ([f"/fleet/vehicles/{ids['immobilised']}/impact"] if ids["immobilised"] else []),
        "prescriber": ["/dashboard", "/people/referrals", "/people/referrals/new",
                       "/notifications/preferences"]
        + ([f"/people/referrals/{ids['referral']}"] if ids["referral"] else []),
        "beneficiary": ["/dashboard", "/portal/commute", "/people/me",
                        "/notifications/preferences"]
        + ([f"/payments/rentals/{ids['own_rental']}", f"/contracts/rentals/{ids['own_rental']}"]
           if ids["own_rental"] else []),
    }
    return pages[role]


def _problems(page, live_server, role: str, paths, suffix: str) -> dict:
    """Open each page: an HTTP error, a serious or critical axe-core violation (the full WCAG
    2.1 A/AA run) or, on a phone, a page that scrolls sideways is a problem; a screenshot each."""
    problems = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        if response.status != 200:
            problems[path] = f"HTTP {response.status}"
            continue
        found = accessibility_violations(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if found or overflow > 1:
            problems[path] = {"overflow_px": overflow, "axe": found}
        screenshot(page, _name(role, path, suffix))
    return problems


def _name(role: str, path: str, suffix: str) -> str:
    slug = path.strip("/").replace("/", "-") or "home"
    return f"a11y-{role}-{slug}-{suffix}"


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_main_pages_of_each_role_on_a_desktop(live_server, page_fr, role):
    ids = _ids(live_server)
    page = browser_login(page_fr, live_server, ACCOUNTS[role])
    problems = _problems(page, live_server, role, _pages(role, ids), "fr-desktop")
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_main_pages_of_each_role_on_a_phone(live_server, phone_page_fr, role):
    ids = _ids(live_server)
    page = browser_login(phone_page_fr, live_server, ACCOUNTS[role])
    problems = _problems(page, live_server, role, _pages(role, ids), "fr-phone")
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_sign_in_pages_and_english(live_server, page_en, phone_page_fr):
    """The code sign-in pages (on a phone, where beneficiaries use them) and the advisor's
    dashboard in English."""
    problems = {}
    for path in ("/login", "/portal/login"):
        phone_page_fr.goto(f"{live_server.url}{path}")
        found = accessibility_violations(phone_page_fr)
        overflow = phone_page_fr.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if found or overflow > 1:
            problems[path] = {"overflow_px": overflow, "axe": found}
        screenshot(phone_page_fr, _name("public", path, "fr-phone"))
    browser_login(page_en, live_server, ACCOUNTS["advisor"])
    found = accessibility_violations(page_en)
    if found:
        problems["/dashboard (en)"] = found
    screenshot(page_en, "a11y-advisor-dashboard-en-desktop")
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)
