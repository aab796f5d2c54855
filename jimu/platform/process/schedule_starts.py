"""Flows started on a schedule: a start node ``{"on": "schedule", "cron": "0 9 * * 1",
"filter": {...}}`` starts one instance per matching live record of the flow's entity at each
tick of the cron expression, in the app's time zone (docs/process.md, "Starting on a schedule").

The rule engine's schedule machinery, for flows: each published flow with such a start has a
row in ``jimu_process_schedule`` holding its next tick (planned when the worker sees a newly
published version; dropped when the flow no longer starts on a schedule). The worker claims
due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), selects the tick's records in the
database (the filter as a WHERE clause, as a rule's condition; one without an SQL form is
applied to each record), starts the flow on each record that has no running instance of it
(each start in a savepoint: one that fails is logged and the others go on), and moves the row
to the next tick after now, in the same transaction: a tick missed while nothing ran fires
once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.expr import compile as compile_expr
from jimu.engines.rule.timing import next_schedule
from jimu.errors import NotFound, ValidationFailed
from jimu.metadata.time_zone import app_time_zone
from jimu.platform.db import begin_write
from jimu.platform.metadata_store import PUBLISHED
from jimu.platform.models import ProcessSchedule
from jimu.platform.process.flows import DOCS
from jimu.platform.process.instances import INSTANCES, start_instance
from jimu.platform.records import Records
from jimu.platform.records.filters import filter_clause

if TYPE_CHECKING:
    from jimu.platform.state import Platform

log = logging.getLogger("jimu.process")
SCHEDULES: sa.Table = ProcessSchedule.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class ScheduleStart:
    node: str
    cron: str
    filter: Any


_SPECS: dict[tuple[str, str, int, str], ScheduleStart | None] = {}
_SPECS_LOCK = threading.Lock()


def schedule_start(body: Mapping[str, Any]) -> ScheduleStart | None:
    """The flow's first start node on a schedule (None: it has none)."""
    for node in body.get("nodes", []):
        if node.get("type") == "start" and node.get("on") == "schedule" and node.get("cron"):
            return ScheduleStart(str(node["id"]), str(node["cron"]), node.get("filter", True))
    return None


def _published_schedules(conn: sa.Connection) -> dict[tuple[str, str], tuple[int, ScheduleStart]]:
    """Every published flow that starts on a schedule (bodies read once per content)."""
    rows = conn.execute(
        sa.select(DOCS.c.app, DOCS.c.name, DOCS.c.version, DOCS.c.checksum).where(
            DOCS.c.kind == "flow", DOCS.c.status == PUBLISHED
        )
    ).all()
    found: dict[tuple[str, str], tuple[int, ScheduleStart]] = {}
    for row in rows:
        key = (str(row.app), str(row.name), int(row.version), str(row.checksum))
        with _SPECS_LOCK:
            known = key in _SPECS
            spec = _SPECS.get(key)
        if not known:
            body = conn.execute(
                sa.select(DOCS.c.body).where(
                    DOCS.c.app == row.app,
                    DOCS.c.kind == "flow",
                    DOCS.c.name == row.name,
                    DOCS.c.version == row.version,
                )
            ).scalar_one()
            spec = schedule_start(body or {})
            with _SPECS_LOCK:
                _SPECS[key] = spec
        if spec is not None:
            found[(key[0], key[1])] = (key[2], spec)
    return found


def _zone(platform: Platform, records: Records) -> Any:
    return app_time_zone(records.model.spec, platform.settings.time_zone)


def plan_schedules(platform: Platform, now: datetime) -> int:
    """Plan the next tick of flows newly published with a schedule start, drop the rows of
    flows that no longer have one; returns how many rows changed."""
    with platform.engine.connect() as conn:
        wanted = _published_schedules(conn)
        columns = (SCHEDULES.c.app, SCHEDULES.c.flow, SCHEDULES.c.flow_version)
        planned = {
            (str(r.app), str(r.flow)): (int(r.flow_version), str(r.node), str(r.cron))
            for r in conn.execute(sa.select(*columns, SCHEDULES.c.node, SCHEDULES.c.cron))
        }
    stale = [k for k in planned if k not in wanted]
    fresh = [k for k, (v, spec) in wanted.items() if planned.get(k) != (v, spec.node, spec.cron)]
    if not stale and not fresh:
        return 0
    with begin_write(platform.engine) as conn:
        for app, flow in stale:
            conn.execute(
                sa.delete(SCHEDULES).where(SCHEDULES.c.app == app, SCHEDULES.c.flow == flow)
            )
        for app, flow in fresh:
            version, spec = wanted[(app, flow)]
            try:
                records = platform.apps.records(conn, app)
            except NotFound:
                continue
            tick = next_schedule({"cron": spec.cron}, now, _zone(platform, records))
            where = (SCHEDULES.c.app == app, SCHEDULES.c.flow == flow)
            values = {"flow_version": version, "node": spec.node, "cron": spec.cron,
                      "due_at": tick, "planned_at": now}  # fmt: skip
            if conn.execute(sa.update(SCHEDULES).where(*where).values(**values)).rowcount == 0:
                conn.execute(sa.insert(SCHEDULES).values(app=app, flow=flow, **values))
    return len(stale) + len(fresh)


def fire_schedules(platform: Platform, now: datetime, *, batch: int = 50) -> int:
    """Fire the due ticks (see the module); returns how many ticks fired."""
    due = SCHEDULES.c.due_at <= now
    with platform.engine.connect() as conn:
        if conn.execute(sa.select(SCHEDULES.c.app).where(due).limit(1)).first() is None:
            return 0
    stmt = sa.select(SCHEDULES).where(due).order_by(SCHEDULES.c.due_at).limit(batch)
    if platform.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    with begin_write(platform.engine) as conn:
        claimed = conn.execute(stmt).all()
        for row in claimed:
            where = (SCHEDULES.c.app == row.app, SCHEDULES.c.flow == row.flow)
            try:
                records = platform.apps.records(conn, row.app)
            except NotFound:
                conn.execute(sa.delete(SCHEDULES).where(*where))
                continue
            tick(conn, platform, records, row, now)
            following = next_schedule({"cron": row.cron}, now, _zone(platform, records))
            conn.execute(
                sa.update(SCHEDULES).where(*where).values(due_at=following, planned_at=now)
            )
    return len(claimed)


def tick(
    conn: sa.Connection, platform: Platform, records: Records, row: Any, now: datetime
) -> list[int]:
    """Start the flow on each record the tick selects; the new instances' ids."""
    found = conn.execute(
        sa.select(DOCS.c.version, DOCS.c.body).where(
            DOCS.c.app == row.app,
            DOCS.c.kind == "flow",
            DOCS.c.name == row.flow,
            DOCS.c.status == PUBLISHED,
        )
    ).first()
    spec = schedule_start(found.body or {}) if found is not None else None
    entity = str((found.body or {}).get("entity") or "") if found is not None else ""
    if spec is None or entity not in records.model.entities:
        return []
    started = []
    for record_id in targets(conn, records, row.app, row.flow, entity, spec.filter, now):
        try:
            with conn.begin_nested():
                result = start_instance(
                    conn, records, row.app, row.flow, now,
                    entity=entity, record_id=record_id, start=spec.node, platform=platform,
                )  # fmt: skip
            started.append(result.instance_id)
        except Exception:  # one record that cannot start must not stop the tick
            log.exception(
                "flow %s of %s did not start on %s %s at its schedule",
                row.flow, row.app, entity, record_id,
            )  # fmt: skip
    return started


def targets(
    conn: sa.Connection,
    records: Records,
    app: str,
    flow: str,
    entity: str,
    condition: Any,
    now: datetime,
) -> list[int]:
    """The live records of ``entity`` the filter selects that have no running instance of
    ``flow``, in id order."""
    if condition is False:
        return []
    rt = records.runtime.entity(entity)
    table = rt.table
    running = sa.select(INSTANCES.c.id).where(
        INSTANCES.c.app == app,
        INSTANCES.c.flow == flow,
        INSTANCES.c.entity == entity,
        INSTANCES.c.record_id == table.c.id,
        INSTANCES.c.status == "running",
    )
    stmt = (
        sa.select(table.c.id)
        .where(table.c.deleted_at.is_(None), ~running.exists())
        .order_by(table.c.id)
    )
    in_sql = not isinstance(condition, dict)
    if isinstance(condition, dict):
        with contextlib.suppress(ValidationFailed):  # no SQL form: each record is checked
            stmt = stmt.where(filter_clause(rt, condition, {"now": now}))
            in_sql = True
    ids = [int(i) for i in conn.execute(stmt).scalars()]
    if in_sql:
        return ids
    check = compile_expr(condition)
    return [i for i in ids if check(dict(records.get(conn, entity, i)))]


def earliest_due(conn: sa.Connection) -> datetime | None:
    earliest = sa.func.min(SCHEDULES.c.due_at, type_=SCHEDULES.c.due_at.type)
    value: datetime | None = conn.execute(sa.select(earliest)).scalar()
    return value
