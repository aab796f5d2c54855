"""Data versions: a counter per table that every committed write to the table raises, so a cache
of what was read from tables (chart results, docs/reports.md "Caching") can tell whether it is
still current with one small query.

:func:`watch` makes an engine note, in an ``after_execute`` listener, every table that a
SQLAlchemy ``INSERT``, ``UPDATE`` or ``DELETE`` writes (Core or ORM): the entity and junction
tables of the apps (every table not named ``jimu_...``), the records' field history
(``jimu_record_history``, which stage funnels read) and the users (``jimu_user``, whose
display names charts show for owners). The tables are collected on
``Connection.info`` and raised **at commit**, in one statement just before the database's
COMMIT (the ``commit`` connection event): a row lock taken at a transaction's first write
would make every other writer of the table wait for that whole transaction on PostgreSQL;
taken at commit it is held for the commit only. A rollback forgets the tables.

Each table's version is spread over :data:`SHARDS` rows of ``jimu_revision``
(``data:<table>#<shard>``; a connection always raises the same shard) and is their sum, so
concurrent writers of one table rarely meet on a row even for that moment. The sum grows with
every committed write, and it is committed in the same transaction as the write: whoever
reads the version and then the data (in that order) gets data at least as new as the version.

Raw SQL (``exec_driver_sql``, ``COPY``) is not seen by the listener: call :func:`touch` with
the table it writes (``records/fastinsert.py`` does).
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import UpdateBase

from jimu.platform.models import RecordHistory, Revision, User

REVISIONS: sa.Table = Revision.__table__  # type: ignore[assignment]
HISTORY_TABLE = str(RecordHistory.__tablename__)
USER_TABLE = str(User.__tablename__)
#: Rows a table's version is spread over (their sum is the version).
SHARDS = 8
PREFIX = "data:"
#: ``Connection.info`` keys: the tables the current transaction wrote; the connection's shard.
_TOUCHED = "jimu_data_touched"
_SHARD = "jimu_data_shard"
_next_shard = itertools.count(random.randrange(SHARDS))
_shard_lock = threading.Lock()


def tracked(table: str) -> bool:
    """Whether writes to ``table`` raise its version (app data, not the platform's own)."""
    if table in (HISTORY_TABLE, USER_TABLE):
        return True
    # Migrations' own bookkeeping and SQLite batch copies (a publish changes the app's
    # published version anyway).
    return (
        bool(table) and not table.startswith(("jimu_", "_alembic")) and table != "alembic_version"
    )


def touch(conn: sa.Connection, *tables: str) -> None:
    """Raise the versions of ``tables`` when ``conn``'s transaction commits."""
    names = [t for t in tables if tracked(t)]
    if names:
        touched: set[str] = conn.info.setdefault(_TOUCHED, set())
        touched.update(names)


def pending(conn: sa.Connection) -> frozenset[str]:
    """The tables ``conn``'s transaction wrote and has not committed yet."""
    return frozenset(conn.info.get(_TOUCHED, ()))


def shard_names(table: str) -> list[str]:
    return [f"{PREFIX}{table}#{shard}" for shard in range(SHARDS)]


@lru_cache(maxsize=1024)
def _read_statement(tables: tuple[str, ...]) -> sa.Select[Any]:
    names = [name for table in tables for name in shard_names(table)]
    return sa.select(REVISIONS.c.name, REVISIONS.c.value).where(REVISIONS.c.name.in_(names))


def versions(conn: sa.Connection, tables: Sequence[str]) -> tuple[int, ...]:
    """The version of each of ``tables`` (in that order) as ``conn`` sees them (0: never
    written since the counters exist)."""
    ordered = tuple(sorted(set(tables)))
    sums = dict.fromkeys(ordered, 0)
    for name, value in conn.execute(_read_statement(ordered)):
        table = str(name)[len(PREFIX) :].rpartition("#")[0]
        sums[table] += int(value)
    return tuple(sums[t] for t in tables)


def bump(conn: sa.Connection, tables: Iterable[str]) -> None:
    """Raise the versions of ``tables`` in ``conn``'s transaction, now (one statement)."""
    shard = _shard_of(conn)
    # Sorted: two transactions lock the rows they share in the same order (no deadlock).
    rows = [{"name": f"{PREFIX}{t}#{shard}", "value": 1} for t in sorted(set(tables))]
    if not rows:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(REVISIONS).values(rows)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[REVISIONS.c.name], set_={"value": REVISIONS.c.value + 1}
        )
    )


def _shard_of(conn: sa.Connection) -> int:
    shard = conn.info.get(_SHARD)
    if shard is None:
        with _shard_lock:
            shard = next(_next_shard) % SHARDS
        conn.info[_SHARD] = shard
    return int(shard)


def watch(engine: sa.Engine) -> None:
    """Make every committed write through ``engine`` raise the versions of its tables."""
    if event.contains(engine, "after_execute", _after_execute):
        return
    event.listen(engine, "after_execute", _after_execute)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "begin", _forget)


def _after_execute(
    conn: sa.Connection,
    statement: Any,
    multiparams: Sequence[Mapping[str, Any]] | None,
    params: Mapping[str, Any] | None,
    execution_options: Any,
    result: Any,
) -> None:
    if isinstance(statement, UpdateBase):
        table = getattr(statement.table, "name", None)
        if isinstance(table, str) and tracked(table):
            conn.info.setdefault(_TOUCHED, set()).add(table)


def _on_commit(conn: sa.Connection) -> None:
    # Called before the database commits, with the transaction still open: the raise is part
    # of it, and its row locks last as long as the COMMIT itself.
    touched = conn.info.pop(_TOUCHED, None)
    if touched:
        bump(conn, touched)


def _forget(conn: sa.Connection) -> None:
    conn.info.pop(_TOUCHED, None)
