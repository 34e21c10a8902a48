"""`write_transaction()` for the money features, on the real session.

The foundation's `mobility.extensions.write_transaction` calls `in_transaction()` on the
scoped-session proxy, which this SQLAlchemy does not forward; this does the same on
`db.session()` (BEGIN IMMEDIATE on SQLite; constraints back the check on PostgreSQL), and
defers to the foundation's helper once it works.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mobility.extensions import db
from mobility.extensions import write_transaction as _foundation_write_transaction


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run a check-then-write block holding the write lock; commit at the end, roll back on
    error."""
    if hasattr(db.session, "in_transaction"):
        with _foundation_write_transaction():
            yield
        return
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_immediate": True})
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
