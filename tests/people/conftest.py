"""Fixtures of the people tests."""

import pytest


@pytest.fixture
def request_ctx(sqlite_app):
    """A request context (French), for rules that render their reasons."""
    with sqlite_app.test_request_context(headers={"Accept-Language": "fr"}):
        yield sqlite_app
