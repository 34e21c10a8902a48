"""Shared fixtures: the app on SQLite and on PostgreSQL, clients, factories.

Every test that takes `app` (or `client`, `db_session`...) runs twice: once on a SQLite file,
once on a throw-away PostgreSQL database created for this run. Outside CI, when PostgreSQL is
not reachable, the PostgreSQL half skips with the reason; under CI (`CI=true`) it fails.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from mobility import create_app
from mobility.core.db import db
from mobility.i18n import compile_catalogs

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"

pytest_plugins = ["tests.factories"]


def pytest_sessionstart(session):
    compile_catalogs()


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL database created for this test run (one per xdist worker), dropped after."""
    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as error:  # any connection failure
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error.__class__.__name__}"
        if IN_CI:
            pytest.fail(reason + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(reason)
    name = f"mobility_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
        ), {"n": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


_schemas_ready: set[str] = set()


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context.

    The `app` fixture keeps an app context pushed for the test body; without this, requests
    would share its `g` (Flask-Login's user, Flask-Babel's locale) and its database session.
    Before each request the test body's own transaction is committed, so that the test sees
    what the request wrote (and on SQLite never holds a stale read snapshot).
    """

    def open(self, *args, **kwargs):
        if has_app_context() and db.session.registry.has():
            db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url: str, tmp_path: Path, *, keep_data: bool = False, **overrides):
    """An app for tests on `database_url`, with a fresh schema once per run (`keep_data`: the
    database is a copy already filled, its schema and rows are kept)."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if database_url not in _schemas_ready and not keep_data:
            if database_url.startswith("postgresql"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
            db.drop_all()
            db.create_all()
            _schemas_ready.add(database_url)
    return app


def empty_all_tables(app) -> None:
    """Delete every row the test left, and restart the id sequences (as a fresh schema)."""
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # only the tables holding rows, found in one statement: a TRUNCATE of all 58
                # costs a new file per table, about a second a test under load
                holding = set(conn.execute(sa.text(" UNION ALL ".join(
                    f"(SELECT '{t}' FROM \"{t}\" LIMIT 1)" for t in tables))).scalars())
                tables = [t for t in tables if t in holding]
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
                    " FROM pg_sequences WHERE last_value IS NOT NULL"))
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """The database URL of the backend under test (SQLite, then PostgreSQL)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


def pushed_app(database_url: str, tmp_path: Path):
    """An app with its context pushed for the test body; its tables are emptied after."""
    app = make_app(database_url, tmp_path)
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    ctx.pop()
    empty_all_tables(app)


@pytest.fixture
def app(database_url, tmp_path):
    yield from pushed_app(database_url, tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sqlite_app(sqlite_url, tmp_path):
    """The app on SQLite only, for tests of behaviour that does not depend on the database."""
    yield from pushed_app(sqlite_url, tmp_path)
