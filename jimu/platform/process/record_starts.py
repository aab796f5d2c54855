"""Flows that start by themselves on record events: a start node with ``on: created``,
``updated`` or ``field_changed`` (with ``fields``). The rule worker offers every outbox event it
processes (:meth:`RecordStarts.start`), in the batch's transaction, so a flow starts exactly
once per event, with the rules the event runs; a crash before the commit runs the batch again.

A flow starting on ``updated`` or ``field_changed`` does not start again on a record that
already has a running instance of it, nor on a write its own service step made on the record
(the event's chain of causes leads to that step, even once the instance has ended), and no flow
starts on an event deeper in a chain of automatic writes than the worker's limit.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.metadata_store import PUBLISHED
from jimu.platform.process.effects import STEP_EVENT
from jimu.platform.process.flows import DOCS
from jimu.platform.process.instances import INSTANCES, condition_values, start_instance
from jimu.platform.records import Records
from jimu.platform.rules.events import OUTBOX, Event, causes

log = logging.getLogger("jimu.process")
#: The start kinds record events trigger.
RECORD_STARTS = ("created", "updated", "field_changed")


@dataclass(frozen=True)
class RecordStart:
    flow: str
    entity: str
    node: str
    on: str
    fields: frozenset[str]

    def matches(self, event: Event) -> bool:
        if event.entity != self.entity:
            return False
        if self.on == "created":
            return event.kind == "created"
        if event.kind != "updated":
            return False
        return self.on == "updated" or bool(self.fields & set(event.changed_fields))


def record_starts_of(conn: sa.Connection, app: str) -> tuple[RecordStart, ...]:
    """The start nodes of ``app``'s published flows that record events trigger."""
    rows = conn.execute(
        sa.select(DOCS.c.name, DOCS.c.body).where(
            DOCS.c.app == app, DOCS.c.kind == "flow", DOCS.c.status == PUBLISHED
        )
    ).all()
    found = []
    for row in rows:
        body = row.body or {}
        for node in body.get("nodes", []):
            if node.get("type") == "start" and node.get("on") in RECORD_STARTS:
                found.append(
                    RecordStart(
                        str(row.name),
                        str(body.get("entity") or ""),
                        str(node["id"]),
                        str(node["on"]),
                        frozenset(str(f) for f in node.get("fields") or ()),
                    )
                )
    return tuple(found)


class RecordStarts:
    """The record-event starts per app, read again when the app's published model changes
    (any publish builds a new one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_app: dict[str, tuple[Any, tuple[RecordStart, ...]]] = {}

    def of(self, conn: sa.Connection, records: Records) -> tuple[RecordStart, ...]:
        app, model = records.app, records.model
        with self._lock:
            kept = self._by_app.get(app)
        if kept is not None and kept[0] is model:
            return kept[1]
        starts = record_starts_of(conn, app)
        with self._lock:
            self._by_app[app] = (model, starts)
        return starts

    def start(
        self,
        conn: sa.Connection,
        records: Records,
        event: Event,
        now: datetime,
        *,
        platform: Any,
        max_depth: int,
    ) -> list[int]:
        """Start the flows ``event`` triggers; returns the new instances' ids. A start that
        fails is logged and left out (the event's rules still run)."""
        if event.depth >= max_depth:
            return []
        started = []
        for start in self.of(conn, records):
            if not start.matches(event):
                continue
            if start.on != "created" and _running(conn, event, start.flow):
                continue
            if _own_write(conn, event, start.flow, max_depth):
                continue
            try:
                with conn.begin_nested():
                    result = start_instance(
                        conn,
                        records,
                        event.app,
                        start.flow,
                        now,
                        entity=event.entity,
                        record_id=event.record_id,
                        start=start.node,
                        variables=_old_values(records, event),
                        initiator_id=event.actor_id,
                        platform=platform,
                    )
                started.append(result.instance_id)
            except Exception:  # one flow that cannot start must not stop the batch
                log.exception(
                    "flow %s did not start on event %s of %s %s",
                    start.flow, event.id, event.entity, event.record_id,
                )  # fmt: skip
        return started


def _old_values(records: Records, event: Event) -> dict[str, Any]:
    """An update's changed fields as they were before it: the instance's variable ``old``
    (service nodes read it as ``$old``, conditions as ``vars.old``; decimals as numbers)."""
    if event.kind != "updated":
        return {}
    old = {f: event.old_values.get(f) for f in event.changed_fields}
    return {"old": condition_values(records, event.entity, old)}


def _own_write(conn: sa.Connection, event: Event, flow: str, limit: int) -> bool:
    """Whether ``event`` comes, through its chain of causes, from a service step of ``flow``
    on the same record: the flow's own write (its instance may have ended since) does not
    start it again, as a rule's own write does not run it again."""
    chain = causes(conn, event, limit)
    if not chain:
        return False
    steps = conn.execute(
        sa.select(OUTBOX.c.payload).where(
            OUTBOX.c.id.in_(chain),
            OUTBOX.c.kind == STEP_EVENT,
            OUTBOX.c.entity == event.entity,
            OUTBOX.c.record_id == event.record_id,
        )
    ).scalars()
    return any(isinstance(p, dict) and p.get("flow") == flow for p in steps)


def _running(conn: sa.Connection, event: Event, flow: str) -> bool:
    found = conn.execute(
        sa.select(INSTANCES.c.id)
        .where(
            INSTANCES.c.app == event.app,
            INSTANCES.c.flow == flow,
            INSTANCES.c.entity == event.entity,
            INSTANCES.c.record_id == event.record_id,
            INSTANCES.c.status == "running",
        )
        .limit(1)
    ).first()
    return found is not None
