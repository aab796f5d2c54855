"""Bulk inserts of the write path: entity rows, field history, outbox events.

Every record write inserts rows into three tables, so the per-row cost of an insert matters
for bulk writes and imports. The statement and the columns' converters (each column type's own
bind processor, exactly what SQLAlchemy would apply) are built once per table, dialect and
column list; values are converted column by column, and the driver gets:

- SQLite: one ``executemany`` of ``INSERT ... VALUES (?, ...)`` (sqlite3 loops in C);
- PostgreSQL: ``COPY ... FROM STDIN`` on the connection's psycopg connection, inside the
  same transaction (a multi-row ``INSERT ... VALUES`` would spend most of its time in psycopg
  splitting a query with thousands of placeholders, which it caches only for short queries).
  A few rows (one record's change: a rule's write, a PATCH) go as an ``executemany`` of
  ``INSERT ... VALUES (%s, ...)`` instead: COPY waits for the server twice (to start, to
  finish), the insert once, and psycopg prepares it after a few runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa

from jimu.platform import data_versions

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_json(value: Any) -> str | None:
    """``value`` as compact JSON text (None stays SQL NULL); for audit tables' JSON columns."""
    if value is None:
        return None
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # e.g. an integer beyond 64 bits
        return _ENCODER.encode(value)


@dataclass(frozen=True)
class InsertPlan:
    """A compiled insert into ``columns``: converters by position and the SQL pieces."""

    converters: tuple[Callable[[Any], Any] | None, ...]
    #: Columns of date/time types: their (few distinct) values are converted once each.
    memoized: frozenset[int]
    sql: str  # INSERT INTO t (a, b) VALUES (?, ?), or on PostgreSQL COPY t (a, b) FROM STDIN
    copy: bool
    #: On PostgreSQL, ``INSERT ... VALUES (%s, ...)`` for a few rows.
    insert_sql: str


#: Up to this many rows, PostgreSQL gets an ``INSERT`` rather than ``COPY``.
FEW_ROWS = 8


@lru_cache(maxsize=256)
def insert_plan(
    table: sa.Table, dialect: sa.Dialect, columns: tuple[str, ...], encoded: frozenset[str]
) -> InsertPlan:
    """The plan of inserting ``columns`` of ``table``; ``encoded`` columns need no conversion."""
    prep = dialect.identifier_preparer
    converters: list[Callable[[Any], Any] | None] = []
    memoized: set[int] = set()
    for i, name in enumerate(columns):
        if name in encoded:
            converters.append(None)
            continue
        declared = table.c[name].type
        column_type = declared.dialect_impl(dialect)
        converters.append(column_type.bind_processor(dialect))
        if isinstance(declared, sa.TypeDecorator):
            declared = declared.impl_instance
        if isinstance(declared, sa.DateTime | sa.Date):
            memoized.add(i)
    names = ", ".join(prep.quote(name) for name in columns)
    table_name = prep.format_table(table)
    copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    insert = f"INSERT INTO {table_name} ({names}) VALUES ({', '.join([marker] * len(columns))})"
    sql = f"COPY {table_name} ({names}) FROM STDIN" if copy else insert
    return InsertPlan(tuple(converters), frozenset(memoized), sql, copy, insert)


def insert_values(
    conn: sa.Connection,
    table: sa.Table,
    columns: tuple[str, ...],
    rows: Sequence[Sequence[Any]],
    encoded: frozenset[str] = frozenset(),
) -> None:
    """Insert ``rows`` (tuples of Python values in ``columns`` order) into ``table``."""
    if not rows:
        return
    plan = insert_plan(table, conn.dialect, columns, encoded)
    # Raw SQL and COPY pass by SQLAlchemy's write listener: the table's version is raised here.
    data_versions.touch(conn, table.name)
    by_column = list(zip(*rows, strict=True))
    for i, convert in enumerate(plan.converters):
        if convert is None:
            continue
        if i in plan.memoized:
            done: dict[Any, Any] = {}
            for value in set(by_column[i]):
                done[value] = convert(value)
            by_column[i] = tuple(map(done.__getitem__, by_column[i]))
        else:
            by_column[i] = tuple(map(convert, by_column[i]))
    params = list(zip(*by_column, strict=True))
    if not plan.copy:
        conn.exec_driver_sql(plan.sql, params)
        return
    if len(params) <= FEW_ROWS:
        conn.exec_driver_sql(plan.insert_sql, params)
        return
    driver = conn.connection.driver_connection  # psycopg, in this connection's transaction
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(plan.sql) as copy:
        for row in params:
            copy.write_row(row)


def convert_row(plan: InsertPlan, row: Sequence[Any]) -> tuple[Any, ...]:
    """One row's values as the driver takes them."""
    return tuple(
        value if convert is None else convert(value)
        for value, convert in zip(row, plan.converters, strict=True)
    )


def insert_returning_id(
    conn: sa.Connection,
    table: sa.Table,
    columns: tuple[str, ...],
    row: Sequence[Any],
    encoded: frozenset[str] = frozenset(),
    before: tuple[sa.Table, tuple[str, ...], Sequence[Sequence[Any]], frozenset[str]] | None = None,
) -> int:
    """Insert one row (``columns`` without ``id``) and return the id the database gave it: one
    round trip, where taking the id first and inserting after are two. On PostgreSQL the
    rows of ``before`` (a table, its columns, rows, encoded columns) go in the same statement
    (``WITH ... INSERT``): a record's change is its history rows and its event, one trip."""
    plan = insert_plan(table, conn.dialect, columns, encoded)
    data_versions.touch(conn, table.name)
    params = convert_row(plan, row)
    sql = f"{plan.insert_sql} RETURNING id"
    if before is not None and before[2]:
        first, first_columns, rows, first_encoded = before
        first_plan = insert_plan(first, conn.dialect, first_columns, first_encoded)
        data_versions.touch(conn, first.name)
        sql = f"WITH earlier AS ({_many_values(first_plan.insert_sql, len(rows))}) {sql}"
        params = (*(v for r in rows for v in convert_row(first_plan, r)), *params)
    return int(conn.exec_driver_sql(sql, params).scalar_one())


@lru_cache(maxsize=64)
def _many_values(insert_sql: str, n: int) -> str:
    """``INSERT ... VALUES (...)`` with its values group written ``n`` times."""
    head, group = insert_sql.split(" VALUES ", 1)
    return f"{head} VALUES {', '.join([group] * n)}"
