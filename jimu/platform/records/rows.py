"""Rows of entity tables as field-keyed dicts, and back; JSON records; junction rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import SYSTEM_COLUMNS
from jimu.errors import NotFound
from jimu.platform.records.checks import chunks
from jimu.platform.records.runtime import EntityRuntime

SYSTEM = SYSTEM_COLUMNS


def utcnow() -> datetime:
    return datetime.now(UTC)


def from_row(rt: EntityRuntime, row: Mapping[Any, Any]) -> dict[str, Any]:
    """A table row (by column) as stored values by field name, plus the system columns."""
    if row.__class__ is not dict:
        row = dict(row)  # a plain dict answers ``in`` far faster than a result row
    values = {name: row[column] for name, column in rt.stored.items() if column in row}
    for key in SYSTEM:
        if key in row:
            values[key] = row[key]
    return values


def to_columns(rt: EntityRuntime, values: Mapping[str, Any]) -> dict[str, Any]:
    """Stored values by field name (and system keys) as values by column name."""
    columns: dict[str, Any] = {}
    for name, value in values.items():
        column = rt.stored.get(name)
        if column is not None:
            columns[column] = value
        elif name in SYSTEM:
            columns[name] = value
    return columns


def json_value(rt: EntityRuntime, name: str, value: Any) -> Any:
    if name in SYSTEM:
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return value
    if name in rt.many_links:
        return list(value or [])
    if name in rt.subtables:
        return list(value or [])
    return rt.compiled(name).dump(value)


def to_json(rt: EntityRuntime, values: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON record: fields in document order, then the system keys."""
    return rt.dump_record(values)


@lru_cache(maxsize=4096)
def iso_utc(value: datetime) -> str:
    """``2026-11-23T08:00:00Z`` (cached: a bulk write stamps every record with one time)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def load(
    conn: sa.Connection,
    rt: EntityRuntime,
    ids: Iterable[int],
    *,
    lock: bool = False,
) -> dict[int, dict[str, Any]]:
    """Stored values of the records ``ids`` (deleted ones included), by id."""
    wanted = sorted(set(ids))
    locking = lock and conn.dialect.name == "postgresql"
    if len(wanted) == 1:  # one record (a PATCH): a statement built once, no IN list to expand
        row = conn.execute(_by_id(rt, locking), {"record_id": wanted[0]}).mappings().first()
        return {} if row is None else {row["id"]: from_row(rt, row)}
    found: dict[int, dict[str, Any]] = {}
    for part in chunks(wanted):
        stmt = sa.select(rt.table).where(rt.table.c.id.in_(part)).order_by(rt.table.c.id)
        if locking:
            stmt = stmt.with_for_update()
        for row in conn.execute(stmt).mappings():
            found[row["id"]] = from_row(rt, row)
    return found


def _by_id(rt: EntityRuntime, locking: bool) -> sa.Select[Any]:
    """Every stored column of one record by ``:record_id`` (``FOR UPDATE`` if ``locking``),
    built once per entity (see ``EntityRuntime.statements``)."""
    key = ("row_by_id", locking)
    stmt = rt.statements.get(key)
    if stmt is None:
        stmt = sa.select(rt.table).where(rt.table.c.id == sa.bindparam("record_id"))
        if locking:
            stmt = stmt.with_for_update()
        rt.statements[key] = stmt
    return stmt


def refresh(conn: sa.Connection, rt: EntityRuntime, records: Sequence[dict[str, Any]]) -> None:
    """Re-read the stored columns of ``records`` (JSON, in place) as the transaction now has them.

    For writes whose own side effects changed the records again (a parent's rollups after its
    sub-table rows were written); many-link and sub-table values are kept as they are.
    """
    current = load(conn, rt, [r["id"] for r in records])
    for record in records:
        record.update(to_json(rt, current[record["id"]]))


def load_one(
    conn: sa.Connection, rt: EntityRuntime, record_id: int, *, lock: bool = False
) -> dict[str, Any]:
    found = load(conn, rt, [record_id], lock=lock)
    if record_id not in found:
        raise NotFound(f"There is no {rt.name} record {record_id}.")
    return found[record_id]


def read_many_links(
    conn: sa.Connection, rt: EntityRuntime, ids: Sequence[int], fields: Iterable[str] | None = None
) -> dict[str, dict[int, list[int]]]:
    """field → record id → linked ids (in the order they were set) for many-links."""
    result: dict[str, dict[int, list[int]]] = {}
    for name in rt.many_links:
        if fields is not None and name not in fields:
            continue
        junction = rt.tables.junctions[name]
        links: dict[int, list[int]] = defaultdict(list)
        for part in chunks(list(ids)):
            stmt = (
                sa.select(junction.c.source_id, junction.c.target_id)
                .where(junction.c.source_id.in_(part))
                .order_by(junction.c.source_id, junction.c.position, junction.c.target_id)
            )
            for source, target in conn.execute(stmt):
                links[source].append(target)
        result[name] = {i: links.get(i, []) for i in ids}
    return result


def write_many_links(
    conn: sa.Connection, rt: EntityRuntime, name: str, values: Mapping[int, Sequence[int]]
) -> None:
    """Replace the linked ids of field ``name`` for each record in ``values``."""
    if not values:
        return
    junction = rt.tables.junctions[name]
    for part in chunks(list(values)):
        conn.execute(sa.delete(junction).where(junction.c.source_id.in_(part)))
    rows = [
        {"source_id": source, "target_id": target, "position": position}
        for source, targets in values.items()
        for position, target in enumerate(targets)
    ]
    if rows:
        conn.execute(junction.insert(), rows)
