"""Factories for tests: `create_platform(...)`, `create_user(...)`, `login(...)`, `api_token(...)`.

Loaded as a pytest plugin from `tests/conftest.py`, so each factory is also a fixture
(`make_user`, `login_as`...). Feature packages add their factories here.
"""

from __future__ import annotations

import itertools
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from mobility.auth.models import User
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation
from mobility.platforms.models import Platform

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def create_platform(**overrides) -> Platform:
    n = next(_counter)
    platform = Platform(slug=overrides.pop("slug", f"platform-{n}"),
                        name=overrides.pop("name", f"Platform {n}"), **overrides)
    db.session.add(platform)
    db.session.commit()
    return platform


def create_organisation(platform: Platform, **overrides) -> PartnerOrganisation:
    n = next(_counter)
    organisation = PartnerOrganisation(
        platform_id=platform.id, name=overrides.pop("name", f"Mission locale {n}"),
        kind=overrides.pop("kind", "mission_locale"), **overrides,
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def create_user(role: str = "advisor", platform: Platform | None = None, **overrides) -> User:
    platform = platform or create_platform()
    n = next(_counter)
    organisation_id = overrides.pop("organisation_id", None)
    if role == "prescriber" and organisation_id is None:
        organisation_id = create_organisation(platform).id
    password = overrides.pop("password", PASSWORD)
    user = User(
        email=overrides.pop("email", f"{role}{n}@example.org"), role=role,
        platform_id=platform.id, full_name=overrides.pop("full_name", f"{role.title()} {n}"),
        organisation_id=organisation_id, **overrides,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, user: User, password: str = PASSWORD):
    """Sign in through the real form (CSRF token included); returns the response."""
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": user.email,
                                       "password": password})


def api_token(client, user: User, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port where nothing listens for the block: bound but never listening, so no
    other process can take it meanwhile and a connection is always refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def platform(app) -> Platform:
    return create_platform()


@pytest.fixture
def make_user(app):
    return create_user
