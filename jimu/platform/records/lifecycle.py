"""Soft delete, restore and purge (the recycle bin)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.errors import NotFound, ValidationFailed
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
            from jimu.errors import Conflict

            raise Conflict(
                f"The {rt.name} record {record_id} was changed by someone else.",
                extra={"current": to_json(rt, old)},
            )
        new = {"deleted_at": now if deleted else None}
        targets.append(Target(old, new, kind="deleted" if deleted else "restored"))
    return apply_updates(conn, app, rt, targets, ctx, now)


def purge(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    ids: Sequence[int],
    ctx: WriteContext,
    now: datetime,
) -> None:
    """Delete records for good. Only records in the recycle bin can be purged.

    Links from other records to them are cleared first (through the write path, so those
    records get history and events too); junction rows go with them.
    """
    current = load(conn, rt, ids, lock=True)
    live = [i for i in ids if i not in current or current[i]["deleted_at"] is None]
    if live:
        raise ValidationFailed(
            f"Only deleted {rt.name} records can be purged; delete {live} first."
        )
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
