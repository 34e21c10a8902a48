"""One scheduler per database: a PostgreSQL advisory lock, or a file lock next to SQLite.

The PostgreSQL lock lives as long as its dedicated connection (a crashed process frees it);
the file lock (`filelock`, an OS lock) is freed when the process dies too.
"""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa
from filelock import FileLock, Timeout
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from mobility.config import instance_path

#: pg_advisory_lock key: "mobility" as a 64-bit integer
ADVISORY_KEY = int.from_bytes(b"mobility", "big") & 0x7FFF_FFFF_FFFF_FFFF


class SchedulerLock:
    """`acquire(timeout_s)` -> bool, `still_held()`, `release()`."""

    def __init__(self, database_url: str, *, lock_file: str | None = None) -> None:
        self.url = make_url(database_url)
        self.backend = self.url.get_backend_name()
        self._conn = None
        self._engine = None
        self._file_lock: FileLock | None = None
        if self.backend != "postgresql":
            self.path = Path(lock_file) if lock_file else self._default_path()

    def _default_path(self) -> Path:
        database = self.url.database
        if database and database != ":memory:":
            return Path(database + ".scheduler.lock")
        return instance_path() / "scheduler.lock"

    @property
    def description(self) -> str:
        if self.backend == "postgresql":
            return f"PostgreSQL advisory lock {ADVISORY_KEY} on {self.url.database}"
        return f"file lock {self.path}"

    def acquire(self, *, timeout_s: float | None = 0, poll_s: float = 1.0,
                should_stop=lambda: False) -> bool:
        """Try to take the lock, waiting up to `timeout_s` seconds (None: until it is free)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            if self._try_once():
                return True
            if should_stop() or (deadline is not None and time.monotonic() >= deadline):
                return False
            time.sleep(poll_s if deadline is None else
                       max(0.0, min(poll_s, deadline - time.monotonic())))

    def _try_once(self) -> bool:
        if self.backend == "postgresql":
            if self._engine is None:
                self._engine = sa.create_engine(self.url, poolclass=NullPool)
            conn = self._engine.connect()
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"),
                               {"k": ADVISORY_KEY}).scalar()
            conn.commit()
            if got:
                self._conn = conn
                return True
            conn.close()
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path), is_singleton=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False
        self._file_lock = lock
        return True

    def still_held(self) -> bool:
        """False when the lock's connection was lost (another scheduler may take over)."""
        if self.backend != "postgresql":
            return self._file_lock is not None and self._file_lock.is_locked
        if self._conn is None:
            return False
        try:
            held = self._conn.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid() AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = :k"), {"k": ADVISORY_KEY}
            ).scalar()
            self._conn.commit()
            return bool(held)
        except sa.exc.SQLAlchemyError:
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self._conn.commit()
            except sa.exc.SQLAlchemyError:
                pass
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._file_lock is not None:
            self._file_lock.release(force=True)
            self._file_lock = None
