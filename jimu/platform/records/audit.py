"""Field history and outbox rows, written in batches inside the record's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.types.temporal import format_datetime
from jimu.platform.models import Outbox, RecordHistory
from jimu.platform.records.context import WriteContext
from jimu.platform.records.fastinsert import insert_rows
from jimu.platform.records.ids import allocate_ids

HISTORY: sa.Table = RecordHistory.__table__  # type: ignore[assignment]
OUTBOX: sa.Table = Outbox.__table__  # type: ignore[assignment]
HISTORY_JSON = frozenset({"old_value", "new_value"})
OUTBOX_JSON = frozenset({"changed_fields"})
#: The history ``field`` of a create: one row whose new_value holds every initial value.
CREATED_FIELD = "*"


@dataclass
class Change:
    """One record write: what the history and the outbox need to know about it.

    A create gives its initial values as ``initial`` (field → JSON value) instead of
    ``fields`` (field → (old, new)).
    """

    record_id: int
    version: int
    kind: str  # created / updated / deleted / restored / purged
    fields: dict[str, tuple[Any, Any]]  # field → (old JSON value, new JSON value)
    caused_by: int | None = None
    #: When it happened for the history, if not the time of the write (an import's created_at).
    at: datetime | None = None
    initial: dict[str, Any] | None = None


def _uuid_text(number: int) -> str:
    """``str(uuid.UUID(int=number))`` without building the UUID object (hot in bulk writes)."""
    h = f"{number:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def write_changes(
    conn: sa.Connection,
    app: str,
    entity: str,
    changes: Sequence[Change],
    ctx: WriteContext,
    now: datetime,
) -> list[int]:
    """Append history rows and one outbox event per change; returns the event ids in order."""
    if not changes:
        return []
    history: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    ids = allocate_ids(conn, OUTBOX, len(changes))
    first_id = uuid.uuid4().int
    actor, source, depth = ctx.actor_id, ctx.source, ctx.depth
    for number, (change, event_id) in enumerate(zip(changes, ids, strict=True)):
        change_id = _uuid_text((first_id + number) % (1 << 128))
        at = now if change.at is None else change.at
        record_id, version = change.record_id, change.version
        if change.initial is not None or change.kind == "created":
            new = (
                change.initial
                if change.initial is not None
                else {k: v[1] for k, v in change.fields.items()}
            )
            changed = sorted(new)
            history.append(
                {
                    "app": app,
                    "entity": entity,
                    "record_id": record_id,
                    "version": version,
                    "actor_id": actor,
                    "source": source,
                    "changed_at": at,
                    "change_id": change_id,
                    "field": CREATED_FIELD,
                    "old_value": None,
                    "new_value": new,
                }
            )
        else:
            changed = sorted(change.fields)
            for name, (old, new_value) in change.fields.items():
                history.append(
                    {
                        "app": app,
                        "entity": entity,
                        "record_id": record_id,
                        "version": version,
                        "actor_id": actor,
                        "source": source,
                        "changed_at": at,
                        "change_id": change_id,
                        "field": name,
                        "old_value": old,
                        "new_value": new_value,
                    }
                )
        events.append(
            {
                "id": event_id,
                "app": app,
                "entity": entity,
                "record_id": record_id,
                "kind": change.kind,
                "changed_fields": changed,
                "actor_id": actor,
                "source": source,
                "caused_by": change.caused_by if change.caused_by is not None else ctx.caused_by,
                "depth": depth,
                "created_at": now,
                "processed_at": None,
            }
        )
    insert_rows(conn, HISTORY, history, HISTORY_JSON)
    insert_rows(conn, OUTBOX, events, OUTBOX_JSON)
    return ids


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
    return result
