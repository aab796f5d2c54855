"""Bulk inserts of the write path: entity rows, field history, outbox events.

Every record write inserts rows into three tables, so the per-row cost of an insert matters
for bulk writes and imports. The statement and the columns' converters (each column type's own
bind processor, exactly what SQLAlchemy would apply) are built once per table, dialect and
column list; values are converted column by column, and the driver gets:

- SQLite: one ``executemany`` of ``INSERT ... VALUES (?, ...)`` (sqlite3 loops in C);
- PostgreSQL: ``COPY ... FROM STDIN`` on the connection's psycopg connection, inside the
  same transaction (a multi-row ``INSERT ... VALUES`` would spend most of its time in psycopg
  splitting a query with thousands of placeholders, which it caches only for short queries).
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
    if copy:
        sql = f"COPY {table_name} ({names}) FROM STDIN"
    else:
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO {table_name} ({names}) VALUES ({', '.join([marker] * len(columns))})"
    return InsertPlan(tuple(converters), frozenset(memoized), sql, copy)


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
    driver = conn.connection.driver_connection  # psycopg, in this connection's transaction
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(plan.sql) as copy:
        for row in params:
            copy.write_row(row)
