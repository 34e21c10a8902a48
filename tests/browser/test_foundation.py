import pytest
from playwright.sync_api import expect

from mobility.demo import DEMO_ACCOUNTS
from tests.browser.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser

HEADINGS = {
    "fr": {"admin": "Administration", "advisor": "Ma journée", "fleet_manager": "Parc",
           "prescriber": "Mes orientations", "beneficiary": "Mon espace"},
    "en": {"admin": "Administration", "advisor": "My day", "fleet_manager": "Fleet",
           "prescriber": "My referrals", "beneficiary": "My space"},
}


@pytest.mark.parametrize("email,role", [(email, role) for email, _, role in DEMO_ACCOUNTS])
def test_each_role_signs_in_and_sees_its_dashboard_in_french(live_server, page_fr, email, role):
    browser_login(page_fr, live_server, email)
    assert page_fr.locator("h1").first.inner_text() == HEADINGS["fr"][role]
    assert page_fr.locator("html").get_attribute("lang") == "fr"
    screenshot(page_fr, f"dashboard-{role}-fr-desktop")
    page_fr.click("[data-testid=logout]")
    page_fr.wait_for_url(f"{live_server.url}/login")
    assert "Vous êtes déconnecté" in page_fr.content()


@pytest.mark.parametrize("email,role", [(email, role) for email, _, role in DEMO_ACCOUNTS])
def test_each_role_signs_in_and_sees_its_dashboard_in_english(live_server, page_en, email, role):
    browser_login(page_en, live_server, email)
    assert page_en.locator("h1").first.inner_text() == HEADINGS["en"][role]
    assert page_en.locator("html").get_attribute("lang") == "en"


def test_wrong_password_shows_a_french_message(own_live_server, page_fr):
    # a wrong password counts a failure against the account: not on the shared server
    live_server = own_live_server
    page_fr.goto(f"{live_server.url}/login")
    page_fr.fill("input[name=email]", "conseillere@demo.mobilite.fr")
    page_fr.fill("input[name=password]", "not-the-password")
    page_fr.click("main button[type=submit]")
    expect(page_fr.locator(".flash")).to_contain_text("Adresse e-mail ou mot de passe incorrect")
    assert page_fr.url.endswith("/login")


def test_language_switch_keeps_the_page(own_live_server, page_fr):
    # the switch saves the account's language: on a server of its own, no other test sees it
    live_server = own_live_server
    browser_login(page_fr, live_server, "conseillere@demo.mobilite.fr")
    page_fr.select_option("#lang-select", "en")
    page_fr.click(".lang-form button")
    page_fr.wait_for_load_state()
    assert page_fr.locator("h1").first.inner_text() == "My day"
    page_fr.select_option("#lang-select", "fr")
    page_fr.click(".lang-form button")
    page_fr.wait_for_load_state()
    assert page_fr.locator("h1").first.inner_text() == "Ma journée"


def test_dashboard_fits_a_phone(live_server, phone_page_fr):
    browser_login(phone_page_fr, live_server, "conseillere@demo.mobilite.fr")
    width = phone_page_fr.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone_page_fr, "dashboard-advisor-fr-phone")


@pytest.mark.parametrize("email,role", [(email, role) for email, _, role in DEMO_ACCOUNTS])
def test_dashboards_have_no_serious_accessibility_violations(live_server, page_fr, email, role):
    from tests.browser.conftest import accessibility_violations

    page_fr.goto(f"{live_server.url}/login")
    assert accessibility_violations(page_fr) == []
    browser_login(page_fr, live_server, email)
    assert accessibility_violations(page_fr) == []


def test_admin_pages_have_no_serious_accessibility_violations(live_server, page_fr):
    from tests.browser.conftest import accessibility_violations

    browser_login(page_fr, live_server, "admin@demo.mobilite.fr")
    for path in ("/admin/users", "/admin/audit"):
        page_fr.goto(f"{live_server.url}{path}")
        assert accessibility_violations(page_fr) == [], path
        screenshot(page_fr, "admin" + path.replace("/", "-") + "-fr-desktop")


def test_what_was_typed_survives_an_expired_session(live_server, page_fr):
    browser_login(page_fr, live_server, "admin@demo.mobilite.fr")
    page_fr.goto(f"{live_server.url}/admin/users")
    page_fr.fill("#full_name", "Yasmine Belkacem")
    page_fr.fill("#email", "yasmine@example.org")
    page_fr.context.clear_cookies()  # the session is gone while the person types
    page_fr.click("form[novalidate] button[type=submit]")
    page_fr.wait_for_load_state()
    assert page_fr.locator("h1").first.inner_text() in ("Demande incorrecte", "Se connecter")
    browser_login(page_fr, live_server, "admin@demo.mobilite.fr")
    page_fr.goto(f"{live_server.url}/admin/users")
    assert page_fr.input_value("#full_name") == "Yasmine Belkacem"
    assert page_fr.input_value("#email") == "yasmine@example.org"
    assert page_fr.input_value("#password") == ""
