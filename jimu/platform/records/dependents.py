"""The ``dependents`` step of the write pipeline: keeping lookups and rollups of *other*
records current after a write, in its transaction, through the same write path."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from jimu.errors import JimuError
from jimu.platform.records import derived
from jimu.platform.records.checks import chunks
from jimu.platform.records.pipeline import Stored, StoredBatch
from jimu.platform.records.rows import load
from jimu.platform.records.runtime import AppRuntime, EntityRuntime, RollupDependency
from jimu.platform.records.update import Target, apply_updates

#: How many derived writes deep one write may go before it is taken for a loop.
MAX_DEPTH = 16


def keep_dependents_current(conn: sa.Connection, batch: StoredBatch) -> None:
    """Refresh the lookups and rollups of other records that ``batch`` made stale: each
    entity's stale records are one more write (``apply_updates``, whose own steps run next)."""
    app, rt, written, ctx = batch.app, batch.rt, batch.records, batch.ctx
    pending: dict[str, dict[int, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    causes: dict[tuple[str, int], int] = {}
    _lookups(conn, app, rt, written, pending, causes)
    _rollups(conn, app, rt, written, pending, causes)
    if not pending:
        return
    if ctx.depth >= MAX_DEPTH:
        raise JimuError("Derived fields keep changing each other (a loop); the write is undone.")
    for entity, changes in pending.items():
        other = app.entities[entity]
        current = load(conn, other, list(changes), lock=True)
        targets = [
            Target(current[i], new, caused_by=causes.get((entity, i)), derived=True)
            for i, new in changes.items()
            if i in current and any(current[i].get(k) != v for k, v in new.items())
        ]
        if targets:
            apply_updates(conn, app, other, targets, ctx.derived(None), batch.now)


def _lookups(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    written: Sequence[Stored],
    pending: dict[str, dict[int, dict[str, Any]]],
    causes: dict[tuple[str, int], int],
) -> None:
    for dep in app.lookups_from.get(rt.name, []):
        changed = {
            s.new["id"]: (s.new.get(dep.source), s.event_id)
            for s in written
            if s.old is not None and s.new.get(dep.source) != s.old.get(dep.source)
        }
        if not changed:
            continue
        other = app.entities[dep.entity]
        link = other.column(dep.link)
        for part in chunks(list(changed)):
            for referrer, target in conn.execute(
                sa.select(other.table.c.id, link).where(link.in_(part))
            ):
                value, event = changed[target]
                pending[dep.entity][referrer][dep.field] = value
                causes.setdefault((dep.entity, referrer), event)


def _rollups(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    written: Sequence[Stored],
    pending: dict[str, dict[int, dict[str, Any]]],
    causes: dict[tuple[str, int], int],
) -> None:
    for dep in app.rollups_over.get(rt.name, []):
        parents: dict[int, int] = {}
        for s in written:
            if not _affects(dep, s.new, s.old):
                continue
            for value in (s.new.get(dep.link), (s.old or {}).get(dep.link)):
                if value is not None:
                    parents.setdefault(value, s.event_id)
        if not parents:
            continue
        values = derived.rollup_values(conn, app, dep, list(parents))
        for parent, event in parents.items():
            pending[dep.entity][parent][dep.field] = values[parent]
            causes.setdefault((dep.entity, parent), event)


def _affects(dep: RollupDependency, new: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    if old is None or dep.filter:
        return True
    keys = ("deleted_at", dep.link, dep.source or "id")
    return any(new.get(k) != old.get(k) for k in keys)
