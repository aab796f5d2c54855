"""The ``sub-table rows`` step of the write pipeline: a record's sub-table rows are written
with it, in its transaction, through the same write path (see docs/records.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.errors import NotFound
from jimu.platform.records.context import WriteContext
from jimu.platform.records.create import create_records
from jimu.platform.records.lifecycle import set_deleted
from jimu.platform.records.pipeline import Stored, StoredBatch
from jimu.platform.records.runtime import AppRuntime, EntityRuntime
from jimu.platform.records.update import Patch, update_records


def write_sub_table_rows(conn: sa.Connection, batch: StoredBatch) -> None:
    """Write the sub-table rows each stored record was given; each record's ``new`` gets the
    rows as written (JSON), by sub-table field. New records get their rows created (sub-table
    by sub-table), changed records exactly the rows given (record by record)."""
    app, rt, ctx, now = batch.app, batch.rt, batch.ctx, batch.now
    if not rt.subtables or not any(s.children for s in batch.records):
        return
    if all(s.created for s in batch.records):
        for name in rt.subtables:
            for stored in batch.records:
                items = stored.children.get(name)
                if items is None:
                    continue
                stored.new[name] = (
                    _create_rows(conn, app, rt, name, stored, items, ctx, now) if items else []
                )
        return
    for stored in batch.records:
        for name, items in stored.children.items():
            child_ctx = _child_context(ctx, stored)
            stored.new[name] = sync_children(
                conn, app, rt, name, stored.new["id"], items, child_ctx, now
            )


def _child_context(ctx: WriteContext, stored: Stored) -> WriteContext:
    """The parent write's context, caused by the parent's event."""
    return replace(ctx, caused_by=stored.event_id)


def _create_rows(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    name: str,
    stored: Stored,
    items: Sequence[Mapping[str, Any]],
    ctx: WriteContext,
    now: datetime,
) -> list[dict[str, Any]]:
    f = rt.subtables[name]
    child = app.entities[str(f.get("target"))]
    return create_records(
        conn,
        app,
        child,
        items,
        _child_context(ctx, stored),
        now,
        [f"{stored.pointer}/{name}/{j}" for j in range(len(items))],
        forced={str(f.get("link")): stored.new["id"]},
    )


def sync_children(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    name: str,
    parent_id: int,
    items: Sequence[Mapping[str, Any]],
    ctx: WriteContext,
    now: datetime,
) -> list[dict[str, Any]]:
    """Make the live children of a sub-table exactly ``items`` (update, create, delete)."""
    f = rt.subtables[name]
    child = app.entities[str(f.get("target"))]
    link = str(f.get("link"))
    link_column = child.column(link)
    stmt = sa.select(child.table.c.id).where(
        link_column == parent_id, child.table.c.deleted_at.is_(None)
    )
    existing = set(conn.execute(stmt).scalars())
    keep = [item for item in items if item.get("id") in existing]
    unknown = [item["id"] for item in items if "id" in item and item["id"] not in existing]
    if unknown:
        raise NotFound(f"{name}: rows {unknown} do not belong to this {rt.name} record.")
    fresh = [item for item in items if "id" not in item]
    gone = existing - {item["id"] for item in keep}
    set_deleted(conn, app, child, sorted(gone), ctx, now, deleted=True)
    patches = [
        Patch(int(i["id"]), {k: v for k, v in i.items() if k not in ("id", link)}) for i in keep
    ]
    updated = (
        update_records(
            conn, app, child, patches, ctx, now, [f"/{name}/{i}" for i in range(len(keep))]
        )
        if keep
        else []
    )
    created = create_records(
        conn,
        app,
        child,
        fresh,
        ctx,
        now,
        [f"/{name}/{i}" for i in range(len(fresh))],
        forced={link: parent_id},
    )
    by_id = {r["id"]: r for r in [*updated, *created]}
    order = [r["id"] for r in updated] + [r["id"] for r in created]
    return [by_id[i] for i in order]
