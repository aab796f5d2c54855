"""Keeping lookups and rollups of *other* records current after a write, in its transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.errors import JimuError
from jimu.platform.records import derived
from jimu.platform.records.checks import chunks
from jimu.platform.records.context import WriteContext
from jimu.platform.records.rows import load
from jimu.platform.records.runtime import AppRuntime, EntityRuntime, RollupDependency

#: How many derived writes deep one write may go before it is taken for a loop.
MAX_DEPTH = 16

Written = tuple[Mapping[str, Any], Mapping[str, Any] | None, int]


def after_write(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    written: Sequence[Written],
    ctx: WriteContext,
    now: datetime,
) -> None:
    """``written`` = (new values, old values or None for a create, outbox event id)."""
    if not written:
        return
    pending: dict[str, dict[int, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    causes: dict[tuple[str, int], int] = {}
    _lookups(conn, app, rt, written, pending, causes)
    _rollups(conn, app, rt, written, pending, causes)
    if not pending:
        return
    if ctx.depth >= MAX_DEPTH:
        raise JimuError("Derived fields keep changing each other (a loop); the write is undone.")
    from jimu.platform.records.update import Target, apply_updates

    for entity, changes in pending.items():
        other = app.entities[entity]
        current = load(conn, other, list(changes), lock=True)
        targets = [
            Target(current[i], new, caused_by=causes.get((entity, i)), derived=True)
            for i, new in changes.items()
            if i in current and any(current[i].get(k) != v for k, v in new.items())
        ]
        if targets:
            apply_updates(conn, app, other, targets, ctx.derived(None), now)


def _lookups(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    written: Sequence[Written],
    pending: dict[str, dict[int, dict[str, Any]]],
    causes: dict[tuple[str, int], int],
) -> None:
    for dep in app.lookups_from.get(rt.name, []):
        changed = {
            new["id"]: (new.get(dep.source), event)
            for new, old, event in written
            if old is not None and new.get(dep.source) != old.get(dep.source)
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
    written: Sequence[Written],
    pending: dict[str, dict[int, dict[str, Any]]],
    causes: dict[tuple[str, int], int],
) -> None:
    for dep in app.rollups_over.get(rt.name, []):
        parents: dict[int, int] = {}
        for new, old, event in written:
            if not _affects(dep, new, old):
                continue
            for value in (new.get(dep.link), (old or {}).get(dep.link)):
                if value is not None:
                    parents.setdefault(value, event)
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
