"""Browser: an admin opens the year's activity report of the demo, sees tables and charts,
downloads the CSV; an advisor opens a person's data page."""

from datetime import date

import pytest

from mobility.core.dates import local_today
from tests.browser.conftest import accessibility_violations, browser_login, screenshot

pytestmark = pytest.mark.browser


def test_admin_opens_the_years_report_and_downloads_the_csv(live_server, page_fr):
    page = browser_login(page_fr, live_server, "admin@demo.mobilite.fr")
    page.locator("nav.main-nav").get_by_role("link", name="Rapports", exact=True).click()
    page.wait_for_url(f"{live_server.url}/reports/activity")
    assert page.locator("h1").inner_text() == "Rapport d'activité"
    today = local_today()
    page.fill("#start", date(today.year - 1, today.month, 1).isoformat())
    page.fill("#end", today.isoformat())
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    gender = page.locator("[data-testid=report-gender]")
    assert "Personnes reçues, par genre" in gender.inner_text()
    assert gender.locator("table tbody tr").count() == 4
    chart = gender.locator("svg[role=img]")
    assert chart.count() == 1
    assert "Femme" in chart.locator("desc").text_content()
    people = page.locator("[data-testid=report-summary] tbody tr", has_text="Personnes reçues")
    assert int(people.locator("td").inner_text()) > 0
    assert accessibility_violations(page) == []
    screenshot(page, "reports-activity-fr-desktop")
    with page.expect_download() as info:
        page.click("[data-testid=export-csv]")
    download = info.value
    assert download.suggested_filename.startswith("activite-riviera-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    assert "Personnes reçues, par genre" in content and "Femme;" in content


def test_advisor_opens_the_personal_data_page(live_server, page_fr):
    page = browser_login(page_fr, live_server, "conseillere@demo.mobilite.fr")
    page.goto(f"{live_server.url}/people/beneficiaries")
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    person_id = page.url.rstrip("/").split("/")[-1]
    page.goto(f"{live_server.url}/privacy/beneficiaries/{person_id}")
    assert page.locator("h1").inner_text().startswith("Données personnelles de")
    assert accessibility_violations(page) == []
    screenshot(page, "privacy-person-fr-desktop")
    page.goto(f"{live_server.url}/privacy/beneficiaries/{person_id}/anonymise")
    assert accessibility_violations(page) == []
