"""The database: one SQLAlchemy object, the declarative base, the transaction helpers.

Every model of every feature, `fleet/` included, is declared on `db.Model`. On SQLite the
connection runs in WAL mode with a busy timeout, and a transaction that will write takes the
write lock at BEGIN (see `_sqlite_begin`); PostgreSQL needs nothing of the kind.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import current_app, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Integer, MetaData, bindparam, event, func, select
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic can alter them (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, a page cache fit for a platform's years of
    rentals; we drive BEGIN ourselves. PostgreSQL: no JIT compilation."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        # JIT compiled each report query for longer than the query ran (2 s of compiling for
        # a 1.5 s aggregate over a year of 344,000 rentals); our queries are not the hour-long
        # analytics JIT pays off on.
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()
    elif type(dbapi_connection).__module__.startswith("sqlite3"):
        # pysqlite's own transaction handling would defeat BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # The default 2 MB page cache re-reads a year of rentals from the OS for every
        # report figure: 64 MB per connection, and reads through a shared memory map.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()


#: requests that only read: their transactions stay deferred (WAL readers never wait)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _will_write() -> bool:
    """A request whose method changes things writes: it takes the write lock up front."""
    return has_request_context() and request.method not in SAFE_METHODS


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """On SQLite, BEGIN IMMEDIATE for every transaction that will write.

    A deferred transaction that read and then writes must upgrade its lock; under WAL, when
    another connection committed in between, SQLite answers "database is locked" at once
    without waiting (SQLITE_BUSY_SNAPSHOT, https://sqlite.org/wal.html#busy). Taking the lock
    at BEGIN makes writers queue on the busy timeout instead. Reads (GET) stay deferred; the
    few writes a GET makes (access log, session last-seen) go through `write_transaction`.
    """
    if conn.dialect.name == "sqlite":
        immediate = conn.get_execution_options().get("sqlite_immediate") or _will_write()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: statements that leave a transaction as it was (SQLite's BEGIN is sent as a statement)
_CHANGES_NOTHING = re.compile(r"\s*(SELECT|BEGIN)\b", re.IGNORECASE)


@event.listens_for(Engine, "begin")
def _transaction_starts(conn) -> None:
    conn.info["wrote"] = False
    conn.info.pop(_READS, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    if not _CHANGES_NOTHING.match(statement):
        conn.info["wrote"] = True
        conn.info.pop(_READS, None)  # what was read before may have changed


def _changes_waiting(session) -> bool:
    """Objects added, changed or deleted in `session` and not flushed yet."""
    return bool(session.new or session.dirty or session.deleted)


#: the connection's reads kept for its current transaction (`read_once`)
_READS = "read_once"
T = TypeVar("T")


def read_once(key: tuple, read: Callable[[], T]) -> T:
    """`read()` once per transaction: a later call with the same `key` in the same transaction
    gets the value read the first time (settings, a platform's country, a person's AMIE rentals
    that several parts of one page read), until a statement other than SELECT runs. With
    changes not flushed yet, `read()` runs each time (its query flushes them first). The value
    is shared: callers must not change it."""
    session = db.session()
    if _changes_waiting(session):
        return read()
    reads = session.connection().info.setdefault(_READS, {})
    if key not in reads:
        reads[key] = read()
    return reads[key]


def end_read_only_transaction(exc: BaseException | None = None) -> None:
    """End the current transaction with COMMIT when it only read (teardown of every app
    context, before the session is removed).

    A transaction that only read changes nothing whether it commits or rolls back, but
    psycopg forgets every prepared statement at a ROLLBACK (``DEALLOCATE ALL``): ending each
    request so, PostgreSQL planned the same queries again for every request (an availability
    search a quarter slower). Anything else (an error, objects added, changed or deleted, a
    statement other than SELECT, a savepoint) is left to the session's ROLLBACK.
    """
    if exc is not None or not db.session.registry.has():
        return
    session = db.session.registry()
    transaction = session.get_transaction()
    if (transaction is None or not transaction.is_active or session.in_nested_transaction()
            or _changes_waiting(session)):
        return
    if session.connection().info.get("wrote", True):
        return
    session.commit()


@contextmanager
def write_transaction(*, keep_loaded: bool = False) -> Iterator[None]:
    """Run a check-then-write block in its own transaction holding the write lock.

    On SQLite the transaction starts with `BEGIN IMMEDIATE`, so two writers cannot both pass
    the check; on PostgreSQL constraints (exclusion, unique) back the check. Commits at the
    end, rolls back on error. `keep_loaded`: the commits leave the objects already loaded as
    they were read, instead of expiring them (for a GET's side write, the access log or the
    session's last-seen time, so the page does not read its user, platform and record again).
    """
    session = db.session()  # the scoped session's current Session
    expire = session.expire_on_commit
    if keep_loaded:
        session.expire_on_commit = False
    try:
        if session.in_transaction():
            session.commit()
        session.connection(execution_options={"sqlite_immediate": True})
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise
    finally:
        session.expire_on_commit = expire


#: up to this many ids, a plain `IN (...)`; beyond, the ids travel as one parameter
MAX_INLINE_IDS = 500


def id_in(column, ids):
    """`column IN ids` for any number of ids, in ONE bound parameter beyond a few hundred:
    a PostgreSQL integer array (`= ANY(...)`) or, on SQLite, a JSON array read by
    `json_each` (PostgreSQL refuses more than 65,535 parameters; SQLite 32,766)."""
    values = sorted({int(i) for i in ids})
    if len(values) <= MAX_INLINE_IDS:
        return column.in_(values)
    if db.engine.dialect.name == "postgresql":
        return column == func.any(bindparam(None, values, type_=ARRAY(Integer)))
    return column.in_(select(sql_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(values)))))


def made_on(dialect_name: str):
    """Alembic's `include_object` for a database of `dialect_name`: leaves out what the models
    create on another database only (`.ddl_if(dialect=...)`), so that comparing the models
    with the database does not ask for it."""
    def include(obj, name, type_, reflected, compare_to) -> bool:
        only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return only_on is None or only_on == dialect_name
    return include


def _sees_what_this_session_sees() -> bool:
    """Whether another connection would read the same data as the current session: a database
    shared between connections (not SQLite in memory) and a transaction that wrote nothing
    yet (its changes are invisible to others until it commits)."""
    if db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database in (
            None, "", ":memory:"):
        return False
    session = db.session()
    if _changes_waiting(session):
        return False
    return not (session.in_transaction() and session.connection().info.get("wrote", True))


def read_alongside(function: Callable[..., Any], *args: Any) -> Future:
    """Start `function(*args)`, a read, on another connection in a thread of its own, and give
    its future: a heavy read (a yearly report's money) then runs on a second core while this
    thread reads the rest, SQLite and psycopg releasing the GIL while the database works.

    The other connection reads in a transaction of its own, as each statement of PostgreSQL's
    default isolation (READ COMMITTED) already does. When it could not see what this session
    sees (uncommitted changes, SQLite in memory), `function` runs here, before returning."""
    if not _sees_what_this_session_sees():
        done: Future = Future()
        try:
            done.set_result(function(*args))
        except Exception as error:  # raised by `result()`, as from the thread
            done.set_exception(error)
        return done
    app = current_app._get_current_object()
    future: Future = Future()

    def run() -> None:
        try:
            with app.app_context():  # its own session: Flask-SQLAlchemy scopes them by context
                future.set_result(function(*args))
        except BaseException as error:
            future.set_exception(error)

    threading.Thread(target=run, name="read-alongside", daemon=True).start()
    return future
