"""Two ways a page reads less: a heavy read on a second connection (`read_alongside`), in
another thread when that connection sees what the session sees, here otherwise; and a read
kept for the rest of its transaction (`read_once`), read again after any write."""

import threading

import pytest
import sqlalchemy as sa

from mobility.core.db import db, read_alongside, read_once
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


# -- read_once: a read kept for the rest of its transaction ------------------------------------


def _counted_read(calls: list[int], platform_id: int):
    def read():
        calls.append(1)
        return db.session.scalar(sa.select(Platform.name).where(Platform.id == platform_id))
    return read


def test_a_read_kept_once_per_transaction_and_read_again_after_a_write(app):
    platform = create_platform(name="Aubagne")
    db.session.commit()
    calls: list[int] = []
    key = ("test_platform_name", platform.id)
    assert read_once(key, _counted_read(calls, platform.id)) == "Aubagne"
    assert read_once(key, _counted_read(calls, platform.id)) == "Aubagne"
    assert len(calls) == 1
    # an UPDATE sent by a statement: read again, the new name
    db.session.execute(sa.update(Platform).where(Platform.id == platform.id)
                       .values(name="Gardanne"))
    assert read_once(key, _counted_read(calls, platform.id)) == "Gardanne"
    assert len(calls) == 2
    # a change not flushed yet: read each time (the query flushes it)
    db.session.get(Platform, platform.id).name = "La Ciotat"
    assert read_once(key, _counted_read(calls, platform.id)) == "La Ciotat"
    db.session.commit()
    # a new transaction reads again
    assert read_once(key, _counted_read(calls, platform.id)) == "La Ciotat"
    assert len(calls) == 4


def test_a_new_transaction_sees_what_another_connection_committed(app):
    platform_id = create_platform(name="Aubagne").id
    db.session.commit()
    calls: list[int] = []
    key = ("test_platform_name", platform_id)
    assert read_once(key, _counted_read(calls, platform_id)) == "Aubagne"
    db.session.commit()
    with db.engine.begin() as other:
        other.execute(sa.update(Platform).where(Platform.id == platform_id)
                      .values(name="Gardanne"))
    assert read_once(key, _counted_read(calls, platform_id)) == "Gardanne"
    assert len(calls) == 2
