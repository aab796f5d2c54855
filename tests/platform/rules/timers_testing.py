"""The rule tests' app with date fields on the lead (``due_at`` date-time, ``due_on`` date),
an app time zone, and a worker whose clock the test moves."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from rules_testing import APP, DOCUMENTS, label

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import Outbox, RuleRun, RuleTimer, utcnow
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.state import Platform

RUNS: sa.Table = RuleRun.__table__  # type: ignore[assignment]
OUTBOX: sa.Table = Outbox.__table__  # type: ignore[assignment]
TIMERS: sa.Table = RuleTimer.__table__  # type: ignore[assignment]


def documents(time_zone: str | None = "Asia/Shanghai") -> list[dict[str, Any]]:
    docs = copy.deepcopy(DOCUMENTS)
    for doc in docs:
        if doc["kind"] == "app" and time_zone:
            doc["time_zone"] = time_zone
        if doc["kind"] == "entity" and doc["name"] == "lead":
            doc["fields"] += [
                {"name": "due_at", "type": "datetime", "label": label("Due at")},
                {"name": "due_on", "type": "date", "label": label("Due on")},
            ]
    return docs


def publish_timers(
    platform: Platform, rules: Sequence[dict[str, Any]] = (), first: bool = True
) -> None:
    with begin_write(platform.engine) as conn:
        for doc in [*(documents() if first else []), *rules]:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)
    platform.apps.forget(APP)


class Clock:
    """Now plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def move(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


def clocked_worker(platform: Platform, clock: Clock, **options: Any) -> RuleWorker:
    return RuleWorker(platform, WorkerOptions(**options), clock=clock)


def timers(platform: Platform, rule: str | None = None) -> list[Any]:
    stmt = sa.select(TIMERS).order_by(TIMERS.c.record_id)
    if rule is not None:
        stmt = stmt.where(TIMERS.c.rule == rule)
    with platform.engine.connect() as conn:
        return list(conn.execute(stmt).all())


def done_runs(platform: Platform, rule: str) -> list[tuple[int, str]]:
    """(record, trigger) of the rule's done runs, in order."""
    stmt = (
        sa.select(RUNS.c.record_id, RUNS.c.trigger)
        .where(RUNS.c.rule == rule, RUNS.c.status == "done")
        .order_by(RUNS.c.id)
    )
    with platform.engine.connect() as conn:
        return [(int(r), str(t)) for r, t in conn.execute(stmt).all()]
