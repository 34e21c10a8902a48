"""A live server (werkzeug, one thread per request) on the test's database, and helpers to
send requests from several threads released together by a barrier."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

from mobility.core.db import db
from tests.factories import PASSWORD


@pytest.fixture
def live(app):
    """Base URL of a real threaded HTTP server serving `app` (SQLite file or PostgreSQL)."""
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def browser_session(base: str, email: str, password: str = PASSWORD) -> requests.Session:
    """A signed-in browser session (cookie jar) through the real sign-in form."""
    session = requests.Session()
    page = session.get(base + "/login")
    response = session.post(base + "/login", data={
        "csrf_token": csrf_of(page.text), "email": email, "password": password},
        allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return session


def api_token_of(base: str, email: str, password: str = PASSWORD) -> str:
    response = requests.post(base + "/api/v1/auth/token",
                             json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def race(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run the calls in as many threads, released at the same moment."""
    db.session.remove()  # the test body holds no snapshot or lock during the race
    barrier = threading.Barrier(len(calls))

    def one(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))
