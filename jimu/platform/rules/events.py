"""Outbox events as the rule worker reads them, and their causality chain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.rule import RecordEvent
from jimu.platform.models import Outbox

OUTBOX: sa.Table = Outbox.__table__  # type: ignore[assignment]
COLUMNS = (
    OUTBOX.c.id,
    OUTBOX.c.app,
    OUTBOX.c.entity,
    OUTBOX.c.record_id,
    OUTBOX.c.kind,
    OUTBOX.c.changed_fields,
    OUTBOX.c.caused_by,
    OUTBOX.c.depth,
    OUTBOX.c.old_values,
    OUTBOX.c.created_at,
    OUTBOX.c.actor_id,
    OUTBOX.c.payload,
)


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    app: str
    entity: str
    record_id: int
    kind: str
    changed_fields: tuple[str, ...]
    caused_by: int | None
    depth: int
    old_values: Mapping[str, Any]
    created_at: datetime | None = None
    #: Who caused the event: the writer, or the user who pressed a rule's button.
    actor_id: int | None = None
    #: An inbound webhook's JSON body (kind ``webhook``); None otherwise.
    payload: Any = None

    @classmethod
    def of(cls, row: Any) -> Event:
        return cls(
            int(row.id),
            row.app,
            row.entity,
            int(row.record_id),
            row.kind,
            tuple(row.changed_fields or ()),
            row.caused_by,
            int(row.depth or 0),
            dict(row.old_values or {}),
            row.created_at,
            row.actor_id,
            getattr(row, "payload", None),
        )

    @property
    def record_event(self) -> RecordEvent:
        return RecordEvent(self.entity, self.kind, self.changed_fields)


def load_event(conn: sa.Connection, event_id: int) -> Event | None:
    row = conn.execute(sa.select(*COLUMNS).where(OUTBOX.c.id == event_id)).first()
    return Event.of(row) if row is not None else None


def causes(conn: sa.Connection, event: Event, limit: int) -> list[int]:
    """The ids of the events that led to ``event``, nearest first (at most ``limit``)."""
    chain: list[int] = []
    cause = event.caused_by
    while cause is not None and len(chain) < limit and cause not in chain:
        chain.append(cause)
        cause = conn.execute(sa.select(OUTBOX.c.caused_by).where(OUTBOX.c.id == cause)).scalar()
    return chain
