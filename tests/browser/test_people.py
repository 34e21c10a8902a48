"""An advisor goes, in the browser, from a prescriber's referral to an accepted pathway with an
entry assessment, a workshop attendance and an exit assessment showing the gain."""

import re

import pytest
from playwright.sync_api import expect

from mobility.core.dates import local_today
from tests.browser.conftest import accessibility_violations, browser_login, screenshot
from tests.people.answers import GOOD_ANSWERS, LOW_ANSWERS

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(own_live_server):
    """Each test gets its own copy of the demo: none depends on what another changed."""
    # these tests refer, accept and exit people
    return own_live_server


def answer_grid(page, answers):
    """Tick the answers of the assessment form (radio buttons and checkboxes)."""
    for key, value in answers.items():
        if isinstance(value, list):
            for box in page.locator(f"input[type=checkbox][name={key}]").all():
                code = box.get_attribute("value")
                if code in value:
                    box.check()
                else:
                    box.uncheck()
        else:
            page.check(f"#{key}-{value}")


def test_from_referral_to_exit_with_the_gain(live_server, page_fr):
    page = page_fr
    # 1. the prescriber refers a person
    browser_login(page, live_server, "referente@demo.mobilite.fr")
    page.goto(f"{live_server.url}/people/referrals/new")
    page.fill("#first_name", "Inès")
    page.fill("#last_name", "Parcoursnavigateur")
    page.fill("#birth_date", "1997-02-03")
    page.select_option("#reason", "job_found")
    page.fill("#employer", "Café de Paris")
    page.fill("#workplace_address", "Place du Casino, 98000 Monaco")
    page.fill("#address", "Avenue de Verdun, 06360 Èze")
    page.check("#obstacles-1")  # no vehicle
    page.click("button:has-text('Envoyer l')")
    # the consent is required: the form comes back with the message
    expect(page.locator(".field-error").first).to_be_visible()
    page.check("#consent")
    page.click("button:has-text('Envoyer l')")
    page.wait_for_url(re.compile(r".*/people/referrals/\d+$"))
    assert "En attente" in page.locator("[data-testid=referral-status]").inner_text()
    referral_url = page.url
    page.click("[data-testid=logout]")

    # 2. the advisor accepts it: the beneficiary file and the pathway are created
    browser_login(page, live_server, "conseillere@demo.mobilite.fr")
    page.goto(f"{live_server.url}/people/referrals?status=submitted")
    page.click("a:has-text('Inès Parcoursnavigateur')")
    page.click("[data-testid=accept]")
    page.wait_for_url(re.compile(r".*/people/beneficiaries/\d+$"))
    file_url = page.url
    assert "Inès Parcoursnavigateur" in page.locator("h1").inner_text()
    assert accessibility_violations(page) == []

    # 3. entry assessment
    page.click("a:has-text('Enregistrer le bilan d')")
    answer_grid(page, LOW_ANSWERS)
    screenshot(page, "people-assessment-form-fr")
    page.click("button:has-text('Calculer et enregistrer')")
    page.wait_for_url(re.compile(r".*/people/assessments/\d+$"))
    entry = int(page.locator("[data-testid=mobility-potential]").inner_text())
    assert "Transports en commun" in page.locator("[data-testid=ladder]").inner_text()

    # 4. a collective workshop: schedule, register, attendance
    page.goto(f"{live_server.url}/people/workshops")
    page.fill("#title", "Lire un plan de bus (test)")
    page.fill("#starts_at", f"{local_today().isoformat()}T08:00")
    page.fill("#capacity", "6")
    page.click("main button:has-text('Programmer la séance')")
    page.wait_for_url(re.compile(r".*/people/workshops/\d+$"))
    page.select_option("#attendee-beneficiary_id", label="Inès Parcoursnavigateur")
    page.click("main button:has-text('Inscrire')")
    row = page.locator("tr[data-attendee='Inès Parcoursnavigateur']")
    row.locator("button[value=attended]").click()
    # the status cell (the buttons say "Présence" too); the wording is gender-neutral since
    # 3a2fbb7 ("Présence", was "Présent")
    status = page.locator("tr[data-attendee='Inès Parcoursnavigateur'] td").nth(1)
    assert status.inner_text().strip() == "Présence"

    # 5. exit assessment: the gain shows on the assessment and on the file
    page.goto(file_url)
    assert "Lire un plan de bus (test)" in page.locator("[data-testid=timeline]").inner_text()
    page.click("a:has-text('Enregistrer le bilan de sortie')")
    answer_grid(page, GOOD_ANSWERS)
    page.click("button:has-text('Calculer et enregistrer')")
    page.wait_for_url(re.compile(r".*/people/assessments/\d+$"))
    exit_ = int(page.locator("[data-testid=mobility-potential]").inner_text())
    assert exit_ > entry
    assert f"+{exit_ - entry}" in page.locator("[data-testid=gain]").inner_text()
    screenshot(page, "people-exit-assessment-fr")
    page.goto(file_url)
    assert f"+{exit_ - entry}" in page.locator("[data-testid=gain]").inner_text()

    # 6. feedback to the referent, seen on the prescriber's side
    page.click("summary:has-text('Retour au référent')")
    page.fill("#feedback-summary", "Bilans faits, atelier suivi : bonne progression.")
    page.click("button:has-text('Envoyer le retour')")
    page.click("[data-testid=logout]")
    browser_login(page, live_server, "referente@demo.mobilite.fr")
    page.goto(referral_url)
    assert "Acceptée" in page.locator("[data-testid=referral-status]").inner_text()
    assert "bonne progression" in page.locator("[data-testid=feedback]").inner_text()


def test_beneficiary_file_fits_a_phone(live_server, phone_page_fr):
    page = phone_page_fr
    browser_login(page, live_server, "conseillere@demo.mobilite.fr")
    page.goto(f"{live_server.url}/people/beneficiaries")
    page.click("a:has-text('Lambert Nicolas')")
    page.wait_for_url(re.compile(r".*/people/beneficiaries/\d+$"))  # the file, loaded
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert "Gain" in page.locator("[data-testid=gain]").inner_text()
    screenshot(page, "people-beneficiary-file-fr-phone")
