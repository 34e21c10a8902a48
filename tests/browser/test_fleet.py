"""Fleet in the browser: the returns board and the maintenance flow of the fleet manager."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mobility.core.dates import local_today
from tests.browser.conftest import accessibility_violations, browser_login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(own_live_server):
    """Each test gets its own copy of the demo: none depends on what another changed."""
    # these tests schedule returns, close jobs, replace vehicles
    return own_live_server


MANAGER = "parc@demo.mobilite.fr"


def test_returns_board_schedules_a_return(live_server, page_fr):
    page = browser_login(page_fr, live_server, MANAGER)
    panel = page.get_by_test_id("fleet-panel")
    assert "Retours en retard : 1" in panel.inner_text()
    panel.get_by_role("link", name="Ouvrir le tableau des retours").click()
    page.wait_for_url(f"{live_server.url}/fleet/returns")
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau des retours"
    overdue = page.get_by_test_id("returns-overdue")
    assert "En retard (1)" in overdue.inner_text()
    assert "jours de retard" in overdue.inner_text()
    assert page.get_by_test_id("returns-today").locator("tbody tr").count() >= 2
    slot = (local_today() + timedelta(days=1)).isoformat() + "T10:30"
    overdue.locator("input[type=datetime-local]").first.fill(slot)
    overdue.get_by_role("button", name="Planifier").first.click()
    page.wait_for_url(f"{live_server.url}/fleet/returns")
    assert "Le créneau de retour a été enregistré." in page.locator(".flashes").inner_text()
    assert "10:30" in page.get_by_test_id("returns-overdue").inner_text()
    assert accessibility_violations(page) == []
    screenshot(page, "fleet-returns-board")


def test_maintenance_flow_closes_a_job_and_replaces_a_broken_vehicle(live_server, page_fr):
    page = browser_login(page_fr, live_server, MANAGER)
    page.goto(f"{live_server.url}/fleet/maintenance")
    jobs = page.get_by_test_id("open-jobs")
    row = jobs.locator("tr", has_text="Révision des 5 000 km")
    assert "À faire" in row.inner_text()
    row.locator("input[name=cost]").fill("85,50".replace(",", "."))
    row.get_by_role("button", name="Marquer comme faite").click()
    page.wait_for_url(f"{live_server.url}/fleet/maintenance")
    assert "L'intervention est terminée." in page.locator(".flashes").inner_text()
    assert page.get_by_test_id("open-jobs").locator("tr", has_text="Révision des 5 000 km"
                                                    ).count() == 0
    assert "85,50" in page.locator("main").inner_text()
    assert accessibility_violations(page) == []
    # the immobilised car: its booking gets a replacement vehicle
    page.get_by_role("link", name="Locations concernées et remplacements").first.click()
    broken = page.get_by_test_id("broken-rental")
    assert broken.count() >= 1
    broken.first.get_by_role("button", name="Utiliser ce véhicule").first.click()
    expect(page.locator(".flashes")).to_contain_text("La location utilise désormais")
    screenshot(page, "fleet-immobilised-replacement")


def test_returns_board_on_a_phone(live_server, phone_page_fr):
    page = browser_login(phone_page_fr, live_server, MANAGER)
    page.goto(f"{live_server.url}/fleet/returns")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    screenshot(page, "fleet-returns-phone")
