"""Soft delete, restore and purge (the recycle bin).

The rows of a record's sub-tables belong to it: deleting the record moves its live rows to the
recycle bin in the same transaction (each with its history and outbox event, written with the
parent write's context, so the same source), restoring it brings back exactly the rows that
were deleted *with* it (their ``deleted_at`` is the parent's, to the microsecond; rows removed
earlier on their own stay deleted), and purging it purges all its rows. This nests: rows of a
row's own sub-tables follow the row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.errors import Conflict, NotFound, ValidationFailed
from jimu.platform.records.audit import Change, write_changes
from jimu.platform.records.checks import chunks
from jimu.platform.records.context import WriteContext
from jimu.platform.records.rows import load, to_json
from jimu.platform.records.runtime import AppRuntime, EntityRuntime
from jimu.platform.records.update import Target, apply_updates


def set_deleted(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    ids: Sequence[int],
    ctx: WriteContext,
    now: datetime,
    *,
    deleted: bool,
    expected_version: int | None = None,
) -> list[dict[str, Any]]:
    """Move records to the recycle bin (``deleted``) or back out of it."""
    if not ids:
        return []
    current = load(conn, rt, ids, lock=True)
    targets = []
    for record_id in ids:
        old = current.get(record_id)
        if old is None or (old["deleted_at"] is not None) == deleted:
            state = "in the recycle bin" if deleted else "live"
            if old is None:
                raise NotFound(f"There is no {rt.name} record {record_id}.")
            raise NotFound(f"The {rt.name} record {record_id} is already {state}.")
        if expected_version is not None and expected_version != old["version"]:
            raise Conflict(
                f"The {rt.name} record {record_id} was changed by someone else.",
                extra={"current": to_json(rt, old)},
            )
        new = {"deleted_at": now if deleted else None}
        targets.append(Target(old, new, kind="deleted" if deleted else "restored"))
    written = apply_updates(conn, app, rt, targets, ctx, now)
    for name in rt.subtables:
        child, link = _subtable(app, rt, name)
        if deleted:
            rows = _child_ids(conn, child, link, ids, child.table.c.deleted_at.is_(None))
            set_deleted(conn, app, child, rows, ctx, now, deleted=True)
            continue
        by_moment: dict[Any, list[int]] = defaultdict(list)
        for record_id in ids:
            by_moment[current[record_id]["deleted_at"]].append(record_id)
        for moment, parents in by_moment.items():
            rows = _child_ids(conn, child, link, parents, child.table.c.deleted_at == moment)
            set_deleted(conn, app, child, rows, ctx, now, deleted=False)
    return written


def _subtable(app: AppRuntime, rt: EntityRuntime, name: str) -> tuple[EntityRuntime, str]:
    """The child entity of the sub-table field ``name`` and its link field to the parent."""
    f = rt.subtables[name]
    return app.entities[str(f.get("target"))], str(f.get("link"))


def _child_ids(
    conn: sa.Connection,
    child: EntityRuntime,
    link: str,
    parent_ids: Sequence[int],
    condition: sa.ColumnElement[bool] | None = None,
) -> list[int]:
    """The ids of ``child`` rows whose ``link`` is one of ``parent_ids`` (and ``condition``)."""
    found: list[int] = []
    for part in chunks(list(parent_ids)):
        stmt = sa.select(child.table.c.id).where(child.column(link).in_(part))
        if condition is not None:
            stmt = stmt.where(condition)
        found.extend(conn.execute(stmt.order_by(child.table.c.id)).scalars())
    return found


def purge(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    ids: Sequence[int],
    ctx: WriteContext,
    now: datetime,
) -> None:
    """Delete records for good. Only records in the recycle bin can be purged.

    Their sub-table rows are purged with them (rows still live are moved to the recycle bin
    first, so they too leave a history). Links from other records to them are cleared first
    (through the write path, so those records get history and events too); junction rows go
    with them.
    """
    current = load(conn, rt, ids, lock=True)
    live = [i for i in ids if i not in current or current[i]["deleted_at"] is None]
    if live:
        raise ValidationFailed(
            f"Only deleted {rt.name} records can be purged; delete {live} first."
        )
    for name in rt.subtables:
        child, link = _subtable(app, rt, name)
        rows = _child_ids(conn, child, link, ids)
        if rows:
            still_live = _child_ids(conn, child, link, ids, child.table.c.deleted_at.is_(None))
            set_deleted(conn, app, child, still_live, ctx, now, deleted=True)
            purge(conn, app, child, rows, ctx, now)
    _clear_references(conn, app, rt, ids, ctx, now)
    for junction in rt.tables.junctions.values():
        for part in chunks(list(ids)):
            conn.execute(sa.delete(junction).where(junction.c.source_id.in_(part)))
    changes = [Change(i, current[i]["version"], "purged", {}) for i in ids]
    write_changes(conn, app.model.name, rt.name, changes, ctx, now)
    for part in chunks(list(ids)):
        conn.execute(sa.delete(rt.table).where(rt.table.c.id.in_(part)))


def _clear_references(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    ids: Sequence[int],
    ctx: WriteContext,
    now: datetime,
) -> None:
    for other in app.entities.values():
        for name, target in other.links.items():
            if target != rt.name:
                continue
            column = other.column(name)
            referrers: list[int] = []
            for part in chunks(list(ids)):
                stmt = sa.select(other.table.c.id).where(column.in_(part))
                referrers.extend(conn.execute(stmt).scalars())
            if referrers:
                rows = load(conn, other, referrers, lock=True)
                targets = [Target(rows[i], {name: None}) for i in referrers]
                apply_updates(conn, app, other, targets, ctx.derived(None), now)
        for name, target in other.many_links.items():
            if target != rt.name:
                continue
            junction = other.tables.junctions[name]
            for part in chunks(list(ids)):
                conn.execute(sa.delete(junction).where(junction.c.target_id.in_(part)))
