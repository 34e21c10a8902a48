"""`write_transaction` on the real session.

The foundation's `mobility.extensions.write_transaction` calls `in_transaction()` on the
scoped-session proxy, which SQLAlchemy 2.1 does not forward; this is the same helper on
`db.session()` (BEGIN IMMEDIATE on SQLite; constraints back the check on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mobility.extensions import db


@contextmanager
def write_transaction() -> Iterator[None]:
    """Commit what is pending, then run the block in one write transaction; commit at the end,
    roll back on error."""
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
