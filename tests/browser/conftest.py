"""Browser tests: a real server on a SQLite file with the demo loaded, driven by headless Chromium.

Screenshots go to `test-artifacts/screenshots/` (override with `SCREENSHOT_DIR`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from mobility.demo import DEMO_PASSWORD
from tests.conftest import IN_CI, make_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-dev-shm-usage",
]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A SQLite file with the demo loaded, made once per worker; servers get copies of it."""
    from mobility.core.db import db
    from mobility.demo import load_demo

    folder = tmp_path_factory.mktemp("demo")
    app = make_app(f"sqlite:///{folder / 'demo.db'}", folder)
    with app.app_context():
        load_demo()
        db.session.remove()
        db.engine.dispose()
    return folder / "demo.db"


@contextmanager
def serve_demo_copy(demo_database: Path, folder: Path, **config) -> Iterator[LiveServer]:
    """A live server (port chosen by the system when it binds) on a private copy of the demo
    database: what its tests change no other test sees."""
    from mobility.core.db import db

    copy = folder / "live.db"
    # the backup API copies a consistent database, whatever its journal (WAL) holds
    with sqlite3.connect(demo_database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    target.close()
    uploads = demo_database.parent / "uploads"  # the demo's documents
    if uploads.exists():
        shutil.copytree(uploads, folder / "uploads", dirs_exist_ok=True)
    app = make_app(f"sqlite:///{copy}", folder, keep_data=True, TESTING=False,
                   WTF_CSRF_ENABLED=True, **config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(demo_database, tmp_path_factory):
    """The demo served on 127.0.0.1, shared by the tests that only read it. A module whose
    tests change the demo overrides `live_server` with `own_live_server`."""
    with serve_demo_copy(demo_database, tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture
def own_live_server(demo_database, tmp_path):
    """A live server of the demo for one test alone (for the tests that change it)."""
    with serve_demo_copy(demo_database, tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        reason = f"Chromium not found at {CHROMIUM} (bin/setup installs Debian's chromium)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _page(chromium, locale: str, width: int = 1280, height: int = 900):
    context = chromium.new_context(
        locale=locale, viewport={"width": width, "height": height},
        extra_http_headers={"Accept-Language": locale},
    )
    context.set_default_timeout(15000)
    return context, context.new_page()


@pytest.fixture
def page_fr(chromium):
    context, page = _page(chromium, "fr-FR")
    yield page
    context.close()


@pytest.fixture
def page_en(chromium):
    context, page = _page(chromium, "en-GB")
    yield page
    context.close()


@pytest.fixture
def phone_page_fr(chromium):
    """A 360 px wide page, the width of a small phone."""
    context, page = _page(chromium, "fr-FR", width=360, height=740)
    yield page
    context.close()


def browser_login(page, live_server: LiveServer, email: str, password: str = DEMO_PASSWORD):
    """Sign in through the login form and wait for the dashboard."""
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard")
    # A saved preference (set by another test through the language switch) beats the
    # browser's language: bring the account back to this page's language.
    wanted = page.evaluate("navigator.language").split("-")[0]
    if page.locator("html").get_attribute("lang") != wanted:
        open_menu(page)
        page.select_option("#lang-select", wanted)
        page.click(".lang-form button")
        page.wait_for_function(f"document.documentElement.lang === '{wanted}'")
    return page


def open_menu(page) -> None:
    """On a phone the navigation and the account tools fold behind the menu button: open it
    (nothing to do on a wider screen, where the button is not shown)."""
    button = page.locator("[data-testid=menu-button]")
    if button.count() and button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()


def sign_out(page) -> None:
    """Click "Sign out" (opening the phone menu first) and wait for the sign-in page."""
    import re

    open_menu(page)
    page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r".*/login"))


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under the screenshots folder for a person to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"


def inject_axe(page) -> None:
    """Load axe-core into the page through the DevTools protocol: the pages' CSP forbids inline
    scripts (as it should), and `add_script_tag` would be one."""
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;void 0")


def accessibility_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; returns the serious/critical ones."""
    inject_axe(page)
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]
