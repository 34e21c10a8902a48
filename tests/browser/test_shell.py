"""The staff shell in Chromium: the menu grouped by what people do, folded behind a real button
below 768 px (a small header at 360 px), open without JavaScript; the main lists as cards."""

from __future__ import annotations

import pytest

from tests.browser.conftest import _page, accessibility_violations, browser_login, screenshot

pytestmark = pytest.mark.browser

ADVISOR = "conseillere@demo.mobilite.fr"
ADMIN = "admin@demo.mobilite.fr"
#: the staff header at 360 px with the menu closed (it was 453 px, 618 px for admins)
HEADER_MAX_PX = 120


def _header_height(page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


@pytest.mark.parametrize("email", [ADVISOR, ADMIN])
def test_phone_header_is_small_and_the_menu_button_opens_it(live_server, phone_page_fr, email):
    page = browser_login(phone_page_fr, live_server, email)
    page.goto(f"{live_server.url}/people/beneficiaries")
    button = page.locator("[data-testid=menu-button]")
    assert button.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "site-menu"
    assert not page.locator("#site-menu").is_visible()
    assert _header_height(page) < HEADER_MAX_PX
    screenshot(page, f"shell-{email.split('@')[0]}-menu-closed-fr-phone")

    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    nav = page.locator("nav.main-nav")
    assert nav.is_visible()
    assert page.locator("[data-testid=logout]").is_visible()
    groups = [t.strip() for t in nav.locator(".nav-group-label").all_text_contents()]
    assert "Personnes" in groups and "Parc et trajets" in groups
    assert ("Administration" in groups) == (email == ADMIN)
    assert _header_height(page) > HEADER_MAX_PX  # the open menu takes the room it needs
    assert accessibility_violations(page) == []
    screenshot(page, f"shell-{email.split('@')[0]}-menu-open-fr-phone")

    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    assert page.evaluate("document.activeElement.dataset.testid") == "menu-button"


def test_desktop_shows_the_grouped_menu_without_a_button(live_server, page_fr):
    page = browser_login(page_fr, live_server, ADVISOR)
    assert not page.locator("[data-testid=menu-button]").is_visible()
    nav = page.locator("nav.main-nav")
    assert nav.is_visible()
    person = nav.locator("[data-group=person]")
    assert person.locator("a", has_text="Bénéficiaires").is_visible()
    assert nav.locator("[data-group=money] a", has_text="Devis").is_visible()
    assert nav.locator("[data-group=admin]").count() == 0  # nothing an advisor cannot open


def test_without_javascript_the_phone_menu_stays_open(live_server, chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 360, "height": 740},
                                   java_script_enabled=False,
                                   extra_http_headers={"Accept-Language": "fr"})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/login")
        page.fill("input[name=email]", ADVISOR)
        page.fill("input[name=password]", "demo-mobilite-2026")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/dashboard")
        assert not page.locator("[data-testid=menu-button]").is_visible()
        assert page.locator("nav.main-nav a", has_text="Bénéficiaires").is_visible()
        assert page.locator("[data-testid=logout]").is_visible()
    finally:
        context.close()


def test_main_lists_become_cards_on_a_phone(live_server, chromium):
    context, page = _page(chromium, "fr-FR", width=360, height=740)
    try:
        browser_login(page, live_server, ADMIN)
        for path in ("/people/beneficiaries", "/people/referrals", "/fleet/vehicles",
                     "/payments/rentals", "/admin/users"):
            page.goto(f"{live_server.url}{path}")
            table = page.locator("table.stack").first
            cell = table.locator("tbody tr").first.locator("td").first
            heading = table.locator("thead th").first.inner_text().strip()
            assert cell.get_attribute("data-label") == heading, path
            assert cell.get_attribute("role") == "cell", path
            assert cell.evaluate("c => getComputedStyle(c).display") == "block", path
            assert not table.locator("thead").is_visible() or \
                table.locator("thead tr").bounding_box()["height"] <= 1, path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, path
        screenshot(page, "shell-admin-users-cards-fr-phone")
        # at desktop width the same list is a table again
        page.set_viewport_size({"width": 1280, "height": 900})
        cell = page.locator("table.stack tbody tr").first.locator("td").first
        assert cell.evaluate("c => getComputedStyle(c).display") == "table-cell"
    finally:
        context.close()
