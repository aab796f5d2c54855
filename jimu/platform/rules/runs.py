"""The run log: runs per rule or per record, counters per rule, dead letters and replay,
switching rules on and off, and the test run (which writes nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.registry import default_registry
from jimu.engines.rule import compile_rule
from jimu.errors import Conflict, NotFound
from jimu.metadata.rules import rule_scope
from jimu.platform import metadata_store as store
from jimu.platform.models import RuleState, utcnow
from jimu.platform.records import Records
from jimu.platform.rules.events import OUTBOX
from jimu.platform.rules.execute import RUNS
from jimu.platform.rules.tables import published_tables
from jimu.platform.rules.views import record_view

STATES: sa.Table = RuleState.__table__  # type: ignore[assignment]
STATUSES = ("done", "skipped", "stopped", "retry", "dead")


def run_dict(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RUNS.c.keys()}  # noqa: SIM118


def list_runs(
    conn: sa.Connection,
    app: str,
    *,
    rule: str | None = None,
    entity: str | None = None,
    record_id: int | None = None,
    status: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Runs newest first; ``before`` (a run id) pages back."""
    # Who caused each run's event: the user who pressed a button, the writer of a record.
    stmt = (
        sa.select(RUNS, OUTBOX.c.actor_id)
        .outerjoin(OUTBOX, OUTBOX.c.id == RUNS.c.event_id)
        .where(RUNS.c.app == app)
    )
    for column, value in (
        (RUNS.c.rule, rule),
        (RUNS.c.entity, entity),
        (RUNS.c.record_id, record_id),
        (RUNS.c.status, status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if before is not None:
        stmt = stmt.where(RUNS.c.id < before)
    rows = conn.execute(stmt.order_by(RUNS.c.id.desc()).limit(limit))
    return [{**run_dict(row), "actor_id": row.actor_id} for row in rows]


def counters(conn: sa.Connection, app: str) -> dict[str, dict[str, Any]]:
    """Per rule: runs by status, the last run's time and the mean duration (ms)."""
    stmt = (
        sa.select(
            RUNS.c.rule,
            RUNS.c.status,
            sa.func.count(),
            sa.func.max(RUNS.c.started_at),
            sa.func.avg(RUNS.c.duration_ms),
        )
        .where(RUNS.c.app == app)
        .group_by(RUNS.c.rule, RUNS.c.status)
    )
    out: dict[str, dict[str, Any]] = {}
    for rule, status, count, last, mean in conn.execute(stmt):
        entry = out.setdefault(rule, {"runs": {s: 0 for s in STATUSES}, "last_run_at": None})
        entry["runs"][status] = int(count)
        if last is not None and (entry["last_run_at"] is None or last > entry["last_run_at"]):
            entry["last_run_at"] = last
        if status == "done":
            entry["mean_ms"] = round(float(mean or 0), 3)
    return out


def enabled(conn: sa.Connection, app: str, rule: str) -> bool:
    row = conn.execute(
        sa.select(STATES.c.enabled).where(STATES.c.app == app, STATES.c.rule == rule)
    ).first()
    return True if row is None else bool(row.enabled)


def set_enabled(conn: sa.Connection, app: str, rule: str, on: bool, actor: int | None) -> None:
    """Switch a published rule on or off (runs already stored stay)."""
    if store.published(conn, app, "rule", rule) is None:
        raise NotFound(f"There is no published rule {rule!r} in the app {app!r}.")
    values = {"enabled": on, "changed_at": utcnow(), "changed_by": actor}
    where = sa.and_(STATES.c.app == app, STATES.c.rule == rule)
    if conn.execute(sa.update(STATES).where(where).values(**values)).rowcount == 0:
        conn.execute(sa.insert(STATES).values(app=app, rule=rule, **values))


def replay(conn: sa.Connection, app: str, run_id: int) -> dict[str, Any]:
    """Queue a dead letter again: it is attempted at once, with a fresh count of attempts."""
    row = conn.execute(sa.select(RUNS).where(RUNS.c.app == app, RUNS.c.id == run_id)).first()
    if row is None:
        raise NotFound(f"There is no rule run {run_id} in the app {app!r}.")
    if row.status != "dead":
        raise Conflict(f"Only dead runs are replayed; run {run_id} is {row.status!r}.")
    now: datetime = utcnow()
    conn.execute(
        sa.update(RUNS)
        .where(RUNS.c.id == run_id)
        .values(status="retry", attempts=0, next_attempt_at=now)
    )
    return {**run_dict(row), "status": "retry", "attempts": 0, "next_attempt_at": now}


def test_run(
    conn: sa.Connection,
    records: Records,
    body: Mapping[str, Any],
    record_id: int,
    old: Mapping[str, Any] | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """What ``body`` would do on a record, writing nothing: the condition in words with each
    part's value, and each planned write (``old`` plays the values before an update)."""
    tables = published_tables(conn, records.model.name)
    rule = compile_rule(body, rule_scope(records.model, default_registry(), tables))
    values = records.get(conn, rule.entity, record_id, include_deleted=True)
    view = record_view(records, rule.entity, values, old)
    entity = records.model.entity(rule.entity)
    labels = {f.name: f.label.get(lang) or f.name for f in entity.fields}
    explanation = rule.explain(view, lang, labels)
    writes = rule.plan(view) if explanation.holds and explanation.error is None else []
    return {
        "rule": rule.name,
        "record_id": record_id,
        "condition": explanation.as_dict(),
        "actions": [write.as_dict() for write in writes],
    }
