"""Every database connection gets the settings the pages at a platform's size rely on: on
SQLite a page cache and a memory map large enough for years of rentals; on PostgreSQL no JIT
compilation (it compiled each report query for longer than the query ran)."""

from __future__ import annotations

import sqlalchemy as sa

from mobility.core.db import db


def test_each_new_connection_is_set_up(app):
    db.engine.dispose()  # new connections, not the fixture's
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
        else:
            assert conn.execute(sa.text("PRAGMA cache_size")).scalar() == -65536
            assert conn.execute(sa.text("PRAGMA mmap_size")).scalar() == 1 << 30
            assert conn.execute(sa.text("PRAGMA temp_store")).scalar() == 2  # memory
            assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
