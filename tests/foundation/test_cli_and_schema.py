"""The command line, the migrations and the translation catalogs."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_migrate import upgrade
from sqlalchemy import select

from mobility import create_app
from mobility.auth.models import User
from mobility.config import PROJECT_ROOT
from mobility.core.db import db, made_on
from mobility.demo import DEMO_ACCOUNTS
from mobility.i18n import translation_directories
from mobility.platforms.models import Platform


def test_platform_and_user_commands(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["platforms", "create", "--slug", "gardanne", "--name", "Gardanne"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["platforms", "create", "--slug", "gardanne", "--name", "G"])
    assert again.exit_code != 0
    assert "existe déjà" in again.output and "already exists" in again.output
    result = runner.invoke(args=["users", "create", "--email", "a@example.org", "--password",
                                 "long-enough-pw", "--role", "admin", "--platform", "gardanne"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["users", "create", "--email", "b@example.org", "--password", "x",
                              "--role", "advisor", "--platform", "gardanne"])
    assert bad.exit_code != 0 and "10" in bad.output
    unknown = runner.invoke(args=["users", "create", "--email", "c@example.org", "--password",
                                  "long-enough-pw", "--role", "advisor", "--platform", "nowhere"])
    assert unknown.exit_code != 0
    assert db.session.scalar(select(User).where(User.email == "b@example.org")) is None


def test_demo_load_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = {t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar()
              for t in db.metadata.sorted_tables if t.name != "audit_events"}
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    again = {t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar()
             for t in db.metadata.sorted_tables if t.name != "audit_events"}
    assert counts == again
    assert db.session.scalar(select(Platform).where(Platform.slug == "riviera"))
    for email, _, role in DEMO_ACCOUNTS:
        assert db.session.scalar(select(User).where(User.email == email)).role == role


@pytest.fixture
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    name = base.rsplit("/", 1)[1] + "_mig"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("empty_database_url", ["sqlite", "postgresql"], indirect=True)
def test_migrations_build_exactly_the_models_schema(empty_database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "mobility" / "migrations"))
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": made_on(conn.dialect.name)}),
                db.metadata)
        db.engine.dispose()
    assert diff == []


def _catalog_ids() -> set[str]:
    ids = set()
    for folder in translation_directories():
        for po_path in folder.glob("fr/LC_MESSAGES/*.po"):
            with po_path.open("rb") as f:
                ids |= {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f)
                        if m.id and (m.string if isinstance(m.string, str) else all(m.string))
                        and "fuzzy" not in m.flags}
    return ids


def test_every_message_has_a_french_translation():
    method_map = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
                "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    used = set()
    for folder in ("mobility", "fleet", "templates"):
        path = PROJECT_ROOT / folder
        if not path.exists():
            continue
        for filename, _, message, _, _ in extract_from_dir(
            str(path), method_map=method_map, keywords=keywords
        ):
            if "migrations" in filename:
                continue
            used.add(message if isinstance(message, str) else message[0])
    missing = sorted(used - _catalog_ids())
    assert missing == [], f"{len(missing)} messages lack a French translation: {missing[:20]}"


def test_catalogs_compile(tmp_path):
    assert Path(PROJECT_ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.mo").exists()
