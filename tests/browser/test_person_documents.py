"""In Chromium: an advisor adds a document to a person's file (a refused one first), finds it in
the list with its expiry, and deletes it after the confirmation; the pages pass axe-core at
desktop and phone widths."""

import io
import re
from datetime import timedelta

import pytest

from mobility.core.dates import local_today
from tests.browser.conftest import accessibility_violations, browser_login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(own_live_server):
    """Each test gets its own copy of the demo: none depends on what another changed."""
    # these tests add and delete documents on a person's file
    return own_live_server


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (30, 20), (20, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def _person_id(live_server) -> int:
    from sqlalchemy import select

    from mobility.core.db import db
    from mobility.people.models import Beneficiary

    with live_server.app.app_context():
        person_id = db.session.scalar(select(Beneficiary.id).where(
            Beneficiary.last_name == "Moreau"))
        db.session.remove()
    return person_id


@pytest.mark.parametrize("fixture", ["page_fr", "phone_page_fr"])
def test_add_then_delete_a_document_on_the_file(live_server, request, fixture):
    page = request.getfixturevalue(fixture)
    width = page.viewport_size["width"]
    browser_login(page, live_server, "conseillere@demo.mobilite.fr")
    file_url = f"{live_server.url}/people/beneficiaries/{_person_id(live_server)}"
    page.goto(file_url)
    documents = page.locator("[data-testid=file-documents]")
    documents.locator("summary").click()
    # refused: no kind, an expiry before the issue date
    issued = local_today() - timedelta(days=10)
    page.fill("#document-issued_on", issued.isoformat())
    page.fill("#document-expires_on", (issued - timedelta(days=1)).isoformat())
    page.set_input_files("#document-file", files=[
        {"name": "permis.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.click("[data-testid=document-form] button[type=submit]")
    summary = page.locator("main > .error-summary")  # base.html: at the top of the page
    summary.wait_for()
    assert "Choisissez le type de document" in summary.inner_text()
    # the summary takes the focus once the page's scripts ran (after the click returned)
    page.wait_for_function(
        "() => document.activeElement.classList.contains('error-summary')")
    # accepted
    page.select_option("#document-kind", "driving_licence")
    page.fill("#document-expires_on", (local_today() + timedelta(days=3)).isoformat())
    page.set_input_files("#document-file", files=[
        {"name": "permis.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.click("[data-testid=document-form] button[type=submit]")
    page.wait_for_url(file_url)
    # the document added here, whatever else the demo file holds (it has a licence already)
    item = page.locator("[data-kind=driving_licence]", has_text="expire dans 3 jours")
    assert item.count() == 1
    assert page.locator("[data-testid=licence-document]").count() >= 1
    assert accessibility_violations(page) == []
    screenshot(page, f"people-file-documents-fr-{'desktop' if width > 400 else 'phone'}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    # deleted after the confirmation
    item.locator("a:has-text('Supprimer')").click()
    page.wait_for_url(re.compile(r".*/people/documents/\d+/delete$"))
    assert accessibility_violations(page) == []
    screenshot(page, f"people-document-delete-fr-{'desktop' if width > 400 else 'phone'}")
    page.click("[data-testid=delete-document-form] button[type=submit]")
    page.locator(".error-summary").wait_for()
    page.check("#confirm")
    page.click("[data-testid=delete-document-form] button[type=submit]")
    page.wait_for_url(file_url)
    assert "Le document a été supprimé." in page.locator("main").inner_text()
