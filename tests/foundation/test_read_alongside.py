"""A heavy read run on a second connection beside the request's own (`read_alongside`): in
another thread when that connection sees what the session sees, here otherwise."""

import threading

import pytest
import sqlalchemy as sa

from mobility.core.db import db, read_alongside
from mobility.platforms.models import Platform
from tests.factories import create_platform


def _names_and_thread() -> tuple[list[str], str]:
    names = db.session.scalars(sa.select(Platform.name).order_by(Platform.name)).all()
    return list(names), threading.current_thread().name


def test_a_read_of_committed_data_runs_in_another_thread(app):
    create_platform(name="Aubagne")
    db.session.commit()
    names, thread = read_alongside(_names_and_thread).result(timeout=30)
    assert "Aubagne" in names
    assert thread != threading.current_thread().name
    # the other thread's session is its own: this one is left as it was
    assert not db.session.new and not db.session.dirty


@pytest.mark.parametrize("change", ["added", "flushed", "statement"])
def test_a_read_after_uncommitted_changes_runs_here_and_sees_them(app, change):
    platform = create_platform(name="Aubagne")
    db.session.commit()
    if change == "statement":
        db.session.execute(sa.update(Platform).where(Platform.id == platform.id)
                           .values(name="Gardanne"))
    else:
        db.session.add(Platform(slug="gardanne", name="Gardanne"))
        if change == "flushed":
            db.session.flush()
    names, thread = read_alongside(_names_and_thread).result(timeout=30)
    assert "Gardanne" in names
    assert thread == threading.current_thread().name
    db.session.rollback()


def test_an_error_in_the_other_thread_is_raised_by_result(app):
    def fails():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    future = read_alongside(fails)
    with pytest.raises(sa.exc.DBAPIError):
        future.result(timeout=30)
