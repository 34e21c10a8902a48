"""The advisor's day on the person's file, in Chromium at 1280 px and at 360 px: from a new
referral to a handed-over rental and its first checkpoint, every step started from the file
(assessment, licence, booking, contract, deposit, checkpoint) and coming back to it; only the
hand-over itself is elsewhere (the fleet manager's rental page). The test opens one address by
hand (the referral), follows links and forms for the rest, counts the pages the advisor sees,
runs axe-core on each of them, and saves screenshots of the file, the contract and the état des
lieux (the hand-over's condition report, on screen and as a PDF) for each width.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    SCREENSHOT_DIR,
    _page,
    accessibility_violations,
    browser_login,
    screenshot,
)
from tests.browser.test_e2e import (
    ADVISOR,
    MANAGER,
    PRESCRIBER,
    _answer_grid,
    _new_car,
    _unique_person,
    refer_through_the_form,
)
from tests.people.answers import LOW_ANSWERS

pytestmark = pytest.mark.browser

#: the pages the advisor sees, from the referral to the first checkpoint recorded (each
#: step is the file → its form → the result → back to the file); more means a detour
MAX_PAGES = 22
WIDTHS = {"desktop": (1280, 900), "phone": (360, 740)}


class Visits:
    """Counts the advisor's pages (main-frame loads) and runs axe-core on each one."""

    def __init__(self, page, label: str) -> None:
        self.page, self.label = page, label
        self.loads: list[str] = []
        self.checked: list[str] = []
        self.problems: dict[str, list] = {}
        page.on("load", lambda: self.loads.append(page.url))

    def look(self, name: str) -> None:
        """The page is loaded: check it (serious or critical violations are kept)."""
        self.page.wait_for_load_state("load")
        found = accessibility_violations(self.page)
        if found:
            self.problems[f"{name} {self.page.url}"] = found
        self.checked.append(self.page.url)

    def assert_every_page_checked(self) -> None:
        assert len(self.checked) == len(self.loads), (self.checked, self.loads)


def _state_pdf_screenshot(context, url: str, name: str) -> None:
    """The état des lieux PDF's first page as a PNG next to the screenshots."""
    response = context.request.get(url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOT_DIR / f"{name}.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(SCREENSHOT_DIR / name)], check=True, timeout=60)
    pdf.unlink()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_advisors_day_runs_from_the_file(live_server, chromium, width):
    url = live_server.url
    person = _unique_person()
    full_name = f"{person['first']} {person['last']}"
    car = _new_car(live_server)
    today = date.today()
    size = WIDTHS[width]

    # the prescriber's referral (their own browser)
    context, page = _page(chromium, "fr-FR", *size)
    browser_login(page, live_server, PRESCRIBER)
    referral_url = refer_through_the_form(page, url, person)
    context.close()

    advisor_context, page = _page(chromium, "fr-FR", *size)
    manager_context, manager = _page(chromium, "fr-FR", *size)
    try:
        browser_login(page, live_server, ADVISOR)
        visits = Visits(page, width)

        # 1. the new referral (the one address typed), accepted: the person's file
        page.goto(referral_url, wait_until="load")
        visits.look("referral")
        with page.expect_navigation(wait_until="load"):
            page.click("[data-testid=accept]")
        visits.look("file")
        assert re.search(r"/people/beneficiaries/\d+$", page.url)
        file_url = page.url

        def go(locator, name: str) -> None:
            """Click a link or a form's button and wait for the next page, then check it."""
            with page.expect_navigation(wait_until="load"):
                (page.locator(locator) if isinstance(locator, str) else locator).first.click()
            visits.look(name)

        def back_to_file(selector: str = "[data-testid=back-to-file]") -> None:
            go(selector, "file")
            assert page.url == file_url

        # 2. the entry assessment, from the file
        go("main a[href*='/assessments/new']", "assessment form")
        _answer_grid(page, LOW_ANSWERS)
        go("main form button[type=submit]", "assessment")
        assert re.search(r"/people/assessments/\d+$", page.url)
        back_to_file(f"main a[href$='{file_url.replace(url, '')}']")

        # 3. the driving licence, on the file's form
        go(f"main a[href$='{file_url.replace(url, '')}/edit']", "file form")
        page.check("#has_licence_b")
        page.fill("#licence_b_since", "2015-05-04")
        go("main form button[type=submit]", "file")
        assert page.url == file_url

        # 4. booking from the file: the person is carried over; our car for four weeks
        go("[data-testid=book-link]", "availability")
        assert full_name in page.locator("[data-testid=booking-person]").inner_text()
        page.select_option("#kind", "car")
        page.fill("#start", today.isoformat())
        page.fill("#end", (today + timedelta(days=28)).isoformat())
        go("form[role=search].card button[type=submit]", "availability results")
        row = page.locator("[data-testid=free-vehicles] li", has_text=car["plate"])
        go(row.locator("button[type=submit]"), "rental")
        assert re.search(r"/fleet/rentals/\d+$", page.url)
        rental_id = int(page.url.rsplit("/", 1)[1])
        back_to_file()
        line = page.locator(f"[data-rental='{rental_id}']")
        assert car["plate"] in line.inner_text()

        # 5. the contract, signed on screen, from the rental's line on the file
        go(line.locator(f"a[href$='/contracts/rentals/{rental_id}']"), "contract")
        page.fill("#signer_name", full_name)
        page.check("#accepted")
        go("[data-testid=sign-form] button[type=submit]", "contract signed")
        expect(page.locator("[data-testid=contract-signed]")).to_be_visible()
        screenshot(page, f"e2e-file-contract-fr-{width}")
        back_to_file()

        # 6. the deposit by cheque, from the file
        go(f"[data-rental='{rental_id}'] [data-testid=take-deposit]", "deposit")
        page.select_option("#method", "cheque")
        page.fill("#reference", "CHQ 0778")
        go("main form button[type=submit]", "deposit taken")
        assert page.locator("[data-testid=deposit-status]").inner_text() == "Caution détenue"
        back_to_file()
        assert not page.locator(f"[data-rental='{rental_id}'] "
                                "[data-testid=missing-before-handover]").count()

        # 7. the hand-over itself: the fleet manager's rental page, the état des lieux
        browser_login(manager, live_server, MANAGER)
        manager.goto(f"{url}/fleet/rentals/{rental_id}")
        manager.fill("#odometer_km", "30010")
        for box in manager.locator("input[name=checklist]").all():
            box.check()
        manager.click(f"form[action$='/rentals/{rental_id}/check_out'] button[type=submit]")
        manager.wait_for_url(f"{url}/fleet/rentals/{rental_id}")
        assert "En cours" in manager.locator("[data-testid=rental-status]").inner_text()
        assert accessibility_violations(manager) == []
        screenshot(manager, f"e2e-file-etat-des-lieux-fr-{width}")
        report = manager.locator("[data-testid=inspection-report]").get_attribute("href")
        _state_pdf_screenshot(manager_context, f"{url}{report}",
                              f"e2e-file-etat-des-lieux-pdf-fr-{width}")

        # 8. back on the file: the first checkpoint is planned a week after the start at the
        #    rental's site (said so), and recorded from the file with the next one's time/place
        page.reload(wait_until="load")
        visits.look("file after the hand-over")
        planned = page.locator(f"[data-rental='{rental_id}'] [data-testid=next-checkpoint]")
        first_day = today + timedelta(days=7)
        assert str(first_day.day) in planned.inner_text()
        assert planned.locator("[data-testid=appointment-default]").is_visible()
        go(planned.locator("[data-testid=record-checkpoint]"), "checkpoint")
        page.fill("#date", today.isoformat())
        page.fill("#odometer_km", "30060")
        for answer in page.locator("[data-testid=checklist] input[value=ok]").all():
            answer.check()
        page.fill("#next_date", (today + timedelta(days=7)).isoformat())
        page.fill("#next_time", "14:30")
        go("[data-testid=checkpoint-form] button[type=submit]", "checkpoint recorded")
        assert "Le point étape a été enregistré." in page.locator(".flashes").inner_text()
        back_to_file()
        planned = page.locator(f"[data-rental='{rental_id}'] [data-testid=next-checkpoint]")
        assert "14:30" in planned.inner_text()
        assert not planned.locator("[data-testid=appointment-default]").count()
        screenshot(page, f"e2e-file-person-fr-{width}")

        visits.assert_every_page_checked()
        assert len(visits.loads) <= MAX_PAGES, visits.loads
        assert not visits.problems, visits.problems
        # one address typed (the referral); every other page came from a link or a form
        assert all(u.startswith(url) for u in visits.loads)
    finally:
        advisor_context.close()
        manager_context.close()
