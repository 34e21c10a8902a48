"""Refused forms in Chromium: the error summary comes first, takes the focus, and each of its
links puts the focus in its field; what was typed stays."""

from tests.browser.conftest import accessibility_violations, browser_login, screenshot

ADVISOR = "conseillere@demo.mobilite.fr"


def _focused(page) -> str:
    return page.evaluate("""() => {
        const el = document.activeElement;
        return el.id || (el.hasAttribute('data-error-summary') ? 'summary' : el.tagName);
    }""")


def _summary_focused(page) -> None:
    """The summary takes the focus once the page's scripts ran (after the click returned)."""
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.hasAttribute('data-error-summary')")


def test_a_refused_form_leads_with_its_error_summary(live_server, page_fr):
    page = page_fr
    browser_login(page, live_server, ADVISOR)
    page.goto(f"{live_server.url}/people/beneficiaries/new")
    page.fill("#first_name", "Łukasz")
    page.fill("#phone", "pas un numéro")
    page.click("main form button[type=submit]")
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "Il y a un problème" in summary.inner_text()
    _summary_focused(page)
    links = summary.locator("a[data-field]")
    assert "last_name" in [links.nth(i).get_attribute("data-field") for i in range(links.count())]
    # French typography: a space before the colon
    assert " : " in links.first.inner_text()
    summary.locator("a[data-field=last_name]").click()
    assert _focused(page) == "last_name"

    # the service's refusal (the phone number) lands in the summary the same way
    page.fill("#last_name", "Wiśniewski")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/people/beneficiaries/new")
    summary.locator("a[data-field=phone]").wait_for()
    _summary_focused(page)
    summary.locator("a[data-field=phone]").click()
    assert _focused(page) == "phone"
    assert page.locator("#first_name").input_value() == "Łukasz"  # kept
    assert page.locator("#phone").get_attribute("aria-invalid") == "true"
    assert accessibility_violations(page) == []
    screenshot(page, "form-error-summary-fr")


def test_an_accepted_page_has_no_error_summary(live_server, page_fr):
    page = page_fr
    browser_login(page, live_server, ADVISOR)
    page.goto(f"{live_server.url}/people/beneficiaries/new")
    assert page.locator("[data-error-summary]").count() == 0
