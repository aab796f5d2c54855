"""Computing derived fields for the records already in a table (after a publish adds them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.platform.records import derived
from jimu.platform.records.autonumbers import take
from jimu.platform.records.context import WriteContext
from jimu.platform.records.rows import from_row, utcnow
from jimu.platform.records.runtime import AppRuntime, EntityRuntime
from jimu.platform.records.update import Target, apply_updates
from jimu.platform.records.write_path import compile_app

BATCH = 1000


def backfill(
    conn: sa.Connection,
    model: AppModel,
    entity: str,
    fields: Sequence[str],
    actor_id: int | None,
    registry: FieldTypeRegistry | None = None,
    runtime: AppRuntime | None = None,
) -> int:
    """Recompute ``fields`` (formula, lookup, rollup, autonumber) of every row; returns how
    many records changed. Changes go through the write path (history, outbox; source system).
    ``runtime``: ``model`` compiled already (a publish backfilling several entities)."""
    app = runtime or compile_app(model, registry)
    rt = app.entity(entity)
    ctx = WriteContext(actor_id, "system")
    now = utcnow()
    changed = 0
    last = 0
    while True:
        stmt = sa.select(rt.table).where(rt.table.c.id > last).order_by(rt.table.c.id).limit(BATCH)
        rows = [from_row(rt, r) for r in conn.execute(stmt).mappings()]
        if not rows:
            return changed
        last = rows[-1]["id"]
        news = _computed(conn, app, rt, rows, set(fields))
        targets = [
            Target(old, new, derived=True)
            for old, new in zip(rows, news, strict=True)
            if any(old.get(k) != v for k, v in new.items())
        ]
        if targets:
            apply_updates(conn, app, rt, targets, ctx, now)
            changed += len(targets)


def _computed(
    conn: sa.Connection,
    app: AppRuntime,
    rt: EntityRuntime,
    rows: list[dict[str, Any]],
    fields: set[str],
) -> list[dict[str, Any]]:
    work = [dict(r) for r in rows]
    derived.apply_lookups(conn, app, rt, work)
    for deps in app.rollups_over.values():
        for dep in deps:
            if dep.entity == rt.name and dep.field in fields:
                values = derived.rollup_values(conn, app, dep, [r["id"] for r in work])
                for row in work:
                    row[dep.field] = values[row["id"]]
    for name in fields & set(rt.autonumbers):
        pattern = rt.autonumbers[name]
        by_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in work:
            if row.get(name) is None:
                by_period[pattern.period(row["created_at"].date())].append(row)
        for period, members in by_period.items():
            first = take(conn, app.model.name, rt.name, name, period, len(members))
            for offset, row in enumerate(members):
                row[name] = pattern.format(row["created_at"].date(), first + offset)
    for row in work:
        derived.apply_formulas(rt, row)
    return [{k: row.get(k) for k in rt.stored if k in fields or k in rt.formulas} for row in work]
