"""Database engines: SQLite (the default) and PostgreSQL through psycopg 3.

SQLite connections get foreign keys, WAL and *transactional DDL*: pysqlite's own transaction
handling is switched off and SQLAlchemy emits ``BEGIN`` itself (the recipe in SQLAlchemy's
SQLite dialect documentation), so a failed schema change rolls back with everything else.

A transaction that will write can ask for ``BEGIN IMMEDIATE`` on SQLite (see
:func:`begin_write`), which takes the write lock up front instead of failing with "database is
locked" when two read-then-write transactions race. On PostgreSQL it is a plain transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
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


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def create_engine(url: str | sa.URL, **kwargs: Any) -> sa.Engine:
    """An engine for ``url`` configured the way Jimu needs it (see the module docstring)."""
    parsed = normalize_url(url)
    kwargs.setdefault("json_serializer", _json_dumps)
    if parsed.get_backend_name() == "sqlite":
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_SECONDS)
        engine = sa.create_engine(parsed, **kwargs)
        _configure_sqlite(engine, in_memory=parsed.database in (None, "", ":memory:"))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # No server-side prepared statements: psycopg prepares a statement run five times, and
    # PostgreSQL then may plan it once for any values (a generic plan). A list page of one
    # rep (``owner_id = $1``) would then walk the whole "status, created_at" index instead of
    # the owner index. Unprepared, each statement is planned with its values (bench/scopes.py).
    kwargs.setdefault("connect_args", {}).setdefault("prepare_threshold", None)
    return sa.create_engine(parsed, **kwargs)


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


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_postgresql(bind: sa.Engine | sa.Connection) -> bool:
    return bind.dialect.name == "postgresql"
