"""Browser: an advisor checks a demo beneficiary's commute and any trip, with the map."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import accessibility_violations, browser_login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(own_live_server):
    """Each test gets its own copy of the demo: none depends on what another changed."""
    # these tests store commute checks in people's files
    return own_live_server


ADVISOR = "conseillere@demo.mobilite.fr"


def _beneficiary_id(live_server, first: str, last: str) -> int:
    from mobility.core.db import db
    from mobility.people.models import Beneficiary

    with live_server.app.app_context():
        person_id = db.session.scalar(select(Beneficiary.id).where(
            Beneficiary.first_name == first, Beneficiary.last_name == last))
        db.session.remove()
    assert person_id is not None, "the demo has no such beneficiary"
    return person_id


def test_advisor_checks_a_demo_commute(live_server, page_fr):
    person_id = _beneficiary_id(live_server, "Julien", "Moreau")
    browser_login(page_fr, live_server, ADVISOR)
    page_fr.goto(f"{live_server.url}/commute/beneficiaries/{person_id}")
    assert page_fr.locator("h1").inner_text() == "Trajet domicile-travail"
    assert "Beausoleil" in page_fr.input_value("#origin")
    assert page_fr.input_value("#arrive_by") == "06:00"
    page_fr.click("[data-testid=commute-submit]")
    page_fr.wait_for_selector("[data-testid=commute-table]")
    table = page_fr.locator("[data-testid=commute-table]").inner_text()
    for label in ("À pied", "Vélo", "Voiture", "Transports en commun", "km", "min"):
        assert label in table
    ladder = page_fr.locator("[data-testid=commute-ladder]").inner_text()
    assert "Solution recommandée" in ladder and "Écarté" in ladder
    page_fr.wait_for_selector("#commute-map[data-ready=true]")
    page_fr.wait_for_selector("#commute-map[data-streets]")
    assert int(page_fr.get_attribute("#commute-map", "data-streets")) > 0
    assert page_fr.locator("#commute-map path.leaflet-interactive").count() >= 3
    assert "© OpenStreetMap contributors" in page_fr.locator(
        ".leaflet-control-attribution").inner_text()
    assert page_fr.locator("[data-testid=map-attribution]").is_visible()
    assert page_fr.locator("[data-testid=commute-history] li").count() >= 1
    assert accessibility_violations(page_fr) == []
    screenshot(page_fr, "commute-beneficiary-fr-desktop")


def test_advisor_checks_any_trip(live_server, page_fr):
    browser_login(page_fr, live_server, ADVISOR)
    page_fr.goto(f"{live_server.url}/commute/check")
    assert page_fr.locator("h1").inner_text() == "Vérifier un trajet"
    assert accessibility_violations(page_fr) == []
    page_fr.fill("#origin", "avenue du 3 Septembre, Cap-d'Ail")
    page_fr.fill("#destination", "Fontvieille, Monaco")
    page_fr.fill("#arrive_by", "05:00")
    page_fr.fill("#leave_at", "12:00")
    page_fr.click("[data-testid=commute-submit]")
    page_fr.wait_for_selector("#commute-map[data-ready=true]")
    assert "Cap-d'Ail" in page_fr.locator("[data-testid=commute-results]").inner_text()
    assert "© OpenStreetMap contributors" in page_fr.locator(
        "[data-testid=map-attribution]").inner_text()
    assert accessibility_violations(page_fr) == []
    screenshot(page_fr, "commute-check-fr-desktop")
    page_fr.fill("#origin", "Rue imaginaire, Atlantide")
    page_fr.click("[data-testid=commute-submit]")
    expect(page_fr.locator("#origin-error")).to_contain_text("Aucune adresse")


def test_advisor_sees_a_night_shift_commute(live_server, page_fr):
    person_id = _beneficiary_id(live_server, "Yasmine", "Chaabane")
    browser_login(page_fr, live_server, ADVISOR)
    page_fr.goto(f"{live_server.url}/commute/beneficiaries/{person_id}")
    assert page_fr.input_value("#arrive_by") == "22:00"
    assert page_fr.input_value("#leave_at") == "05:00"
    page_fr.click("[data-testid=commute-submit]")
    page_fr.wait_for_selector("[data-testid=commute-table]")
    table = page_fr.locator("[data-testid=commute-table]").inner_text()
    assert "Voiture" in table and "km" in table
    assert page_fr.locator("[data-testid=commute-history] li").count() >= 1
    screenshot(page_fr, "commute-night-shift-fr-desktop")


def _statuses(page, scope: str) -> dict[str, str]:
    items = page.locator(f"{scope} [data-testid=ladder-levels] > li")
    return {items.nth(i).get_attribute("data-level"): items.nth(i).get_attribute("data-status")
            for i in range(items.count())}


def test_the_ladder_on_the_file_is_the_commute_pages(live_server, page_fr):
    person_id = _beneficiary_id(live_server, "Julien", "Moreau")
    browser_login(page_fr, live_server, ADVISOR)
    page_fr.goto(f"{live_server.url}/people/beneficiaries/{person_id}")
    ladder = page_fr.locator("[data-testid=file-ladder]")
    text = ladder.inner_text()
    assert "Trajet et échelle des solutions" in text
    # the demo's illustrative timetable: Julien takes bus line 1 to work
    recommended = ladder.locator("[data-testid=ladder-recommended]")
    assert recommended.get_attribute("data-level") == "public_transport"
    assert "Ligne 1 : départ à" in text
    on_file = _statuses(page_fr, "[data-testid=file-ladder]")
    assert list(on_file) == ["public_transport", "walk", "bike", "e_bike", "moped_scooter",
                             "carpool", "minibus", "car"]
    assert accessibility_violations(page_fr) == []
    screenshot(page_fr, "people-file-ladder-fr-desktop")
    page_fr.click("[data-testid=file-ladder] a:has-text('détail et carte')")
    page_fr.wait_for_selector("[data-testid=commute-ladder]")
    assert _statuses(page_fr, "[data-testid=commute-ladder]") == on_file


def test_admin_edits_a_lines_timetable(live_server, page_fr):
    browser_login(page_fr, live_server, "admin@demo.mobilite.fr")
    page_fr.goto(f"{live_server.url}/commute/transit-lines")
    assert page_fr.locator("h1").inner_text() == "Lignes de transport en commun"
    assert page_fr.get_attribute("[data-testid=feed-status]", "data-feed") == "lines"
    assert "Indicatifs" in page_fr.locator("[data-testid=feed-status]").inner_text()
    line = page_fr.locator("details.transit-line[data-line='1']")
    line.locator("summary").click()
    line.locator("input[name$='-headway_min']").fill("0")
    line.locator("button:has-text('Enregistrer la ligne')").click()
    expect(page_fr.locator(".error-summary")).to_contain_text("Indiquez une fréquence")
    assert accessibility_violations(page_fr) == []
    screenshot(page_fr, "commute-lines-fr-desktop")
