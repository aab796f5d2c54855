"""Bulk inserts of the write path: entity rows, field history, outbox events.

Every record write inserts rows into three tables, so the per-row cost of an insert matters
for bulk writes and imports. The statement and the columns' converters (each column type's own
bind processor, exactly what SQLAlchemy would apply) are built once per table, dialect and
column list; values are converted column by column, and the driver gets:

- SQLite: one ``executemany`` of ``INSERT ... VALUES (?, ...)`` (sqlite3 loops in C);
- PostgreSQL: ``INSERT ... VALUES (...), (...), ...`` with up to ``PG_ROWS`` rows per statement,
  one round trip per chunk instead of one per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

#: Most rows per multi-row VALUES statement on PostgreSQL (and at most PG_PARAMS parameters).
PG_ROWS = 1000
PG_PARAMS = 30_000

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_json(value: Any) -> str | None:
    """``value`` as compact JSON text (None stays SQL NULL); for audit tables' JSON columns."""
    return None if value is None else _ENCODER.encode(value)


@dataclass(frozen=True)
class InsertPlan:
    """A compiled insert into ``columns``: converters by position and the SQL pieces."""

    converters: tuple[Callable[[Any], Any] | None, ...]
    #: Columns of date/time types: their (few distinct) values are converted once each.
    memoized: frozenset[int]
    head: str  # INSERT INTO t (a, b) VALUES
    row: str  # (?, ?) or (%s, %s)
    positional_many: bool  # the driver's executemany is fast (SQLite)


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
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(prep.quote(name) for name in columns)
    return InsertPlan(
        converters=tuple(converters),
        memoized=frozenset(memoized),
        head=f"INSERT INTO {prep.format_table(table)} ({names}) VALUES ",
        row="(" + ", ".join([marker] * len(columns)) + ")",
        positional_many=dialect.name == "sqlite",
    )


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
    if plan.positional_many:
        conn.exec_driver_sql(plan.head + plan.row, params)
        return
    per_statement = max(1, min(PG_ROWS, PG_PARAMS // len(columns)))
    full_sql = plan.head + ", ".join([plan.row] * per_statement)
    for start in range(0, len(params), per_statement):
        chunk = params[start : start + per_statement]
        sql = full_sql if len(chunk) == per_statement else plan.head + ", ".join(
            [plan.row] * len(chunk)
        )
        conn.exec_driver_sql(sql, tuple(value for row in chunk for value in row))


def insert_rows(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    json_columns: frozenset[str] = frozenset(),
) -> None:
    """Insert ``rows`` (dicts with the same keys); ``json_columns`` are encoded with
    :func:`encode_json` (None stays SQL NULL)."""
    if not rows:
        return
    columns = tuple(rows[0])
    tuples = [tuple(row[c] for c in columns) for row in rows]
    if json_columns:
        positions = [i for i, c in enumerate(columns) if c in json_columns]
        encoded_rows = []
        for values in tuples:
            items = list(values)
            for i in positions:
                items[i] = encode_json(items[i])
            encoded_rows.append(tuple(items))
        tuples = encoded_rows
    insert_values(conn, table, columns, tuples, json_columns)
