"""How a request's transaction ends: with COMMIT when it only read (psycopg forgets its prepared
statements at every ROLLBACK, so PostgreSQL would plan each request's queries afresh), with
ROLLBACK otherwise: nothing a request left uncommitted is ever written."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import abort

from mobility.auth.policies import public
from mobility.core.db import db
from mobility.platforms.models import Platform
from tests.factories import create_platform, create_user, login


@contextmanager
def endings():
    """The COMMITs and ROLLBACKs the engine's connections send, in order."""
    seen: list[str] = []

    def commit(_conn):
        seen.append("commit")

    def rollback(_conn):
        seen.append("rollback")

    sa.event.listen(db.engine, "commit", commit)
    sa.event.listen(db.engine, "rollback", rollback)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "commit", commit)
        sa.event.remove(db.engine, "rollback", rollback)


@pytest.mark.parametrize("role,path", [("advisor", "/people/referrals"),
                                       ("fleet_manager", "/fleet/vehicles"),
                                       ("advisor", "/dashboard")])
def test_a_page_that_only_read_ends_with_commit(app, client, role, path):
    login(client, create_user(role))
    client.get(path)  # the first opening logs the access (its own committed write)
    with endings() as seen:
        assert client.get(path).status_code == 200
    assert seen and seen[-1] == "commit" and "rollback" not in seen, seen


@pytest.fixture
def leaving_routes(app):
    """Routes that change a platform's name without committing, in every way a view could."""
    platform = create_platform(name="Before")

    def loaded():
        return db.session.get(Platform, platform.id)

    @public
    def statement():  # a statement sent, the transaction left open
        db.session.execute(sa.update(Platform).where(Platform.id == platform.id)
                           .values(name="After"))
        return "ok"

    @public
    def pending():  # an object changed, never flushed
        loaded().name = "After"
        return "ok"

    @public
    def flushed_then_refused():  # flushed, then an error the error pages handle
        loaded().name = "After"
        db.session.flush()
        abort(400)

    @public
    def read_then_raw_write():  # reads, then writes through the connection itself
        db.session.scalar(sa.select(Platform.name).where(Platform.id == platform.id))
        db.session.connection().execute(sa.text(
            "UPDATE platforms SET name = 'After' WHERE id = :id"), {"id": platform.id})
        return "ok"

    for view in (statement, pending, flushed_then_refused, read_then_raw_write):
        app.add_url_rule(f"/test-leave/{view.__name__}", view.__name__, view)
    return platform


@pytest.mark.parametrize("way", ["statement", "pending", "flushed_then_refused",
                                 "read_then_raw_write"])
def test_what_a_request_left_uncommitted_is_rolled_back(app, leaving_routes, way):
    client = app.test_client()
    with endings() as seen:
        response = client.get(f"/test-leave/{way}")
    assert response.status_code in (200, 400)
    assert "commit" not in seen
    db.session.expire_all()
    assert db.session.get(Platform, leaving_routes.id).name == "Before"
