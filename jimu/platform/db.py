"""Database engines: SQLite (the default) and PostgreSQL through psycopg 3.

SQLite connections get foreign keys, WAL and *transactional DDL*: pysqlite's own transaction
handling is switched off and SQLAlchemy emits ``BEGIN`` itself (the recipe in SQLAlchemy's
SQLite dialect documentation), so a failed schema change rolls back with everything else.

A transaction that will write can ask for ``BEGIN IMMEDIATE`` on SQLite (see
:func:`begin_write`), which takes the write lock up front instead of failing with "database is
locked" when two read-then-write transactions race. On PostgreSQL it is a plain transaction.
An ORM session gets the same from :func:`write_session_factory`, and a session that has read
and now must write hands its connection back first (:func:`write_after_read`).

A request holds at most one pooled connection at a time. The pool is bounded
(:class:`PoolOptions`, from the settings): a request that waits longer than ``timeout`` for a
connection fails with SQLAlchemy's ``TimeoutError``, which the API answers with 503 and
``Retry-After`` (:mod:`jimu.platform.overload`) instead of hanging.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

#: Execution option that makes SQLite start the transaction with ``BEGIN IMMEDIATE``.
IMMEDIATE = "jimu_immediate"
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def normalize_url(url: str | sa.URL) -> sa.URL:
    """Parse ``url``; ``postgresql://`` and ``postgres://`` mean psycopg 3."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@dataclass(frozen=True)
class PoolOptions:
    """The connection pool of an engine: connections kept open, extra ones opened under load,
    and how long (seconds) a caller waits for one before ``TimeoutError``."""

    size: int = 10
    max_overflow: int = 30
    timeout: float = 5.0

    def engine_kwargs(self) -> dict[str, Any]:
        return {
            "pool_size": self.size,
            "max_overflow": self.max_overflow,
            "pool_timeout": self.timeout,
        }


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def create_engine(
    url: str | sa.URL, *, pool: PoolOptions | None = None, **kwargs: Any
) -> sa.Engine:
    """An engine for ``url`` configured the way Jimu needs it (see the module docstring)."""
    parsed = normalize_url(url)
    kwargs.setdefault("json_serializer", _json_dumps)
    in_memory = parsed.get_backend_name() == "sqlite" and _in_memory(parsed)
    if pool is not None and not in_memory:  # an in-memory SQLite has no queue of connections
        for key, value in pool.engine_kwargs().items():
            kwargs.setdefault(key, value)
    if parsed.get_backend_name() == "sqlite":
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_SECONDS)
        engine = sa.create_engine(parsed, **kwargs)
        _configure_sqlite(engine, in_memory=in_memory)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # No server-side prepared statements: psycopg prepares a statement run five times, and
    # PostgreSQL then may plan it once for any values (a generic plan). A list page of one
    # rep (``owner_id = $1``) would then walk the whole "status, created_at" index instead of
    # the owner index. Unprepared, each statement is planned with its values (bench/scopes.py).
    kwargs.setdefault("connect_args", {}).setdefault("prepare_threshold", None)
    return sa.create_engine(parsed, **kwargs)


def _in_memory(url: sa.URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url.query)


def _configure_sqlite(engine: sa.Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop pysqlite from issuing BEGIN (and COMMIT before DDL) on its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def begin_write(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that intends to write (``BEGIN IMMEDIATE`` on SQLite); commits on success."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{IMMEDIATE: True})
        with conn.begin():
            yield conn


@contextmanager
def write_after_read(db: Session) -> Iterator[sa.Connection]:
    """A write transaction of its own (see :func:`begin_write`) for a session that has read.

    The session's transaction ends first (commit: it only read, and its loaded objects stay
    usable), so its connection is back in the pool before the write asks for one, and SQLite
    never has to turn a read into a write (which fails with "database is locked" when another
    connection wrote in between).
    """
    db.commit()
    with begin_write(engine_of(db)) as conn:
        yield conn


def engine_of(db: Session) -> sa.Engine:
    bind = db.get_bind()
    return bind.engine if isinstance(bind, sa.Connection) else bind


def immediate(engine: sa.Engine) -> sa.Engine:
    """``engine`` with its transactions beginning ``BEGIN IMMEDIATE`` on SQLite (same pool)."""
    return engine.execution_options(**{IMMEDIATE: True})


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def write_session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Sessions whose every transaction will write: ``BEGIN IMMEDIATE`` on SQLite, so a
    transaction that reads and then writes (a sign-in and its audit row) waits for the write
    lock up front (within the busy timeout) instead of failing with "database is locked"."""
    return sessionmaker(immediate(engine), expire_on_commit=False)


def will_write(db: Session) -> None:
    """Begin ``db``'s next transaction as one that will write (``BEGIN IMMEDIATE`` on SQLite),
    for a request session that reads and then writes though its method is GET (a single
    sign-on callback). A session already inside a transaction keeps it."""
    if not db.in_transaction():
        db.connection(execution_options={IMMEDIATE: True})


@contextmanager
def read_only(db: Session) -> Iterator[Session]:
    """Reads on ``db`` in a plain transaction (``BEGIN`` even on a write session), ended when
    the block ends, so its connection goes back to the pool; loaded objects stay usable.

    A session already inside a transaction keeps it (nothing of it is committed early).
    """
    if db.in_transaction():
        yield db
        return
    db.connection(execution_options={IMMEDIATE: False})
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()


def is_postgresql(bind: sa.Engine | sa.Connection) -> bool:
    return bind.dialect.name == "postgresql"
