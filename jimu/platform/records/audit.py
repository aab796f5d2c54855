"""Field history and outbox rows, written in batches inside the record's transaction."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.types.temporal import format_datetime
from jimu.platform.models import Outbox, OwnerChange, RecordHistory
from jimu.platform.records.context import WriteContext
from jimu.platform.records.fastinsert import (
    FEW_ROWS,
    encode_json,
    insert_returning_id,
    insert_values,
)
from jimu.platform.records.ids import allocate_ids

HISTORY: sa.Table = RecordHistory.__table__  # type: ignore[assignment]
OUTBOX: sa.Table = Outbox.__table__  # type: ignore[assignment]
OWNER_CHANGES: sa.Table = OwnerChange.__table__  # type: ignore[assignment]
HISTORY_JSON = frozenset({"old_value", "new_value"})
OUTBOX_JSON = frozenset({"changed_fields", "old_values"})
HISTORY_COLUMNS = (
    "app",
    "entity",
    "record_id",
    "version",
    "actor_id",
    "source",
    "changed_at",
    "change_id",
    "field",
    "old_value",
    "new_value",
)
OUTBOX_COLUMNS = (
    "id",
    "app",
    "entity",
    "record_id",
    "kind",
    "changed_fields",
    "actor_id",
    "source",
    "caused_by",
    "depth",
    "created_at",
    "processed_at",
    "old_values",
)
#: The history ``field`` of a create: one row whose new_value holds every initial value.
CREATED_FIELD = "*"


@dataclass
class Change:
    """One write to an existing record: what the history and the outbox need to know about
    it. New records go through :func:`write_creations`."""

    record_id: int
    version: int
    kind: str  # updated / deleted / restored / purged
    fields: dict[str, tuple[Any, Any]]  # field → (old JSON value, new JSON value)
    caused_by: int | None = None


def _encoded_names(cache: dict[tuple[str, ...], str | None], names: list[str]) -> str | None:
    key = tuple(names)
    if key not in cache:
        cache[key] = encode_json(names)
    return cache[key]


def _change_ids(n: int) -> list[str]:
    """``n`` fresh change ids (UUID text): one random 80-bit prefix, then a counter."""
    head = uuid.uuid4().hex
    prefix = f"{head[:8]}-{head[8:12]}-{head[12:16]}-{head[16:20]}-"
    return [f"{prefix}{number:012x}" for number in range(n)]


def write_changes(
    conn: sa.Connection,
    app: str,
    entity: str,
    changes: Sequence[Change],
    ctx: WriteContext,
    now: datetime,
) -> list[int]:
    """Append a history row per changed field and one outbox event per change; returns the
    event ids in order."""
    if not changes:
        return []
    history: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    change_ids = _change_ids(len(changes))
    actor, source, depth, cause = ctx.actor_id, ctx.source, ctx.depth, ctx.caused_by
    encoded_fields: dict[tuple[str, ...], str | None] = {}  # rows of a batch mostly share them
    for change, change_id in zip(changes, change_ids, strict=True):
        head = (app, entity, change.record_id, change.version, actor, source, now, change_id)
        changed = sorted(change.fields)
        for name, (old, new_value) in change.fields.items():
            history.append((*head, name, encode_json(old), encode_json(new_value)))
        events.append(
            (
                app,
                entity,
                change.record_id,
                change.kind,
                _encoded_names(encoded_fields, changed),
                actor,
                source,
                cause if change.caused_by is None else change.caused_by,
                depth,
                now,
                None,
                encode_json({name: old for name, (old, _) in change.fields.items()}),
            )
        )
    return _insert_rows(conn, history, events)


def _insert_rows(
    conn: sa.Connection, history: list[tuple[Any, ...]], events: list[tuple[Any, ...]]
) -> list[int]:
    """Insert ``history`` rows and outbox ``events`` (rows without their id); returns the
    events' ids in order. One event on PostgreSQL (a rule's write, a PATCH) is a single
    statement with its history rows, taking its id from the insert itself."""
    one = len(events) == 1
    if one and len(history) <= FEW_ROWS and conn.dialect.name == "postgresql":
        before = (HISTORY, HISTORY_COLUMNS, history, HISTORY_JSON)
        return [
            insert_returning_id(conn, OUTBOX, OUTBOX_COLUMNS[1:], events[0], OUTBOX_JSON, before)
        ]
    insert_values(conn, HISTORY, HISTORY_COLUMNS, history, HISTORY_JSON)
    if one and conn.dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 35):
        return [insert_returning_id(conn, OUTBOX, OUTBOX_COLUMNS[1:], events[0], OUTBOX_JSON)]
    ids = allocate_ids(conn, OUTBOX, len(events))
    rows = [(event_id, *event) for event_id, event in zip(ids, events, strict=True)]
    insert_values(conn, OUTBOX, OUTBOX_COLUMNS, rows, OUTBOX_JSON)
    return ids


def write_creations(
    conn: sa.Connection,
    app: str,
    entity: str,
    created: Sequence[tuple[int, datetime, dict[str, Any]]],
    ctx: WriteContext,
    now: datetime,
) -> list[int]:
    """:func:`write_changes` for new records, the bulk path's hot loop: ``created`` holds
    (record id, created_at, initial JSON values) of each; returns the event ids in order."""
    if not created:
        return []
    change_ids = _change_ids(len(created))
    actor, source, depth, cause = ctx.actor_id, ctx.source, ctx.depth, ctx.caused_by
    encoded_fields: dict[tuple[str, ...], str | None] = {}
    history: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for (record_id, at, initial), change_id in zip(created, change_ids, strict=True):
        history.append(
            (app, entity, record_id, 1, actor, source, at, change_id, CREATED_FIELD, None,
             encode_json(initial))
        )  # fmt: skip
        names = _encoded_names(encoded_fields, sorted(initial))
        events.append(
            (app, entity, record_id, "created", names, actor, source, cause, depth, now, None,
             None)
        )  # fmt: skip
    return _insert_rows(conn, history, events)


def read_history(
    conn: sa.Connection, app: str, entity: str, record_id: int
) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(HISTORY)
        .where(HISTORY.c.app == app, HISTORY.c.entity == entity, HISTORY.c.record_id == record_id)
        .order_by(HISTORY.c.id)
    ).mappings()
    result = []
    for row in rows:
        changed_at = row["changed_at"]
        result.append(
            {
                "change_id": row["change_id"],
                "version": row["version"],
                "field": row["field"],
                "old_value": row["old_value"],
                "new_value": row["new_value"],
                "actor_id": row["actor_id"],
                "source": row["source"],
                "changed_at": format_datetime(changed_at) if changed_at is not None else None,
            }
        )
    _add_owner_changes(conn, app, entity, record_id, result)
    return result


def _add_owner_changes(
    conn: sa.Connection, app: str, entity: str, record_id: int, entries: list[dict[str, Any]]
) -> None:
    """An owner field's change made by the public pool or an assignment gets
    ``owner_change``: its kind (claim, return, transfer, assign, pool) and reason."""
    table = OWNER_CHANGES
    query = sa.select(table.c.version, table.c.field, table.c.kind, table.c.reason, table.c.note)
    found = {
        (row.version, row.field): {"kind": row.kind, "reason": row.reason, "note": row.note}
        for row in conn.execute(
            query.where(
                table.c.app == app, table.c.entity == entity, table.c.record_id == record_id
            )
        )
    }
    if not found:
        return
    for entry in entries:
        change = found.get((entry["version"], entry["field"]))
        if change is not None:
            entry["owner_change"] = change
