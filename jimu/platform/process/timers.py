"""Firing due process timers: claimed like the rule timers (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share them), each fired in a savepoint with its step; a timer
whose step fails is tried again later, and after ``max_attempts`` becomes an incident."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from jimu.errors import NotFound
from jimu.platform.db import begin_write
from jimu.platform.process import deadlines
from jimu.platform.process.instances import (
    INSTANCES,
    TIMERS,
    record_incident,
    send_event,
)
from jimu.platform.records import Records
from jimu.platform.state import Platform

log = logging.getLogger("jimu.process")


def process_timers(
    platform: Platform,
    now: datetime,
    *,
    batch: int = 50,
    max_attempts: int = 5,
    retry_seconds: float = 5.0,
) -> int:
    """Fire the process timers that are due; returns how many were claimed."""
    due = TIMERS.c.due_at <= now
    with platform.engine.connect() as conn:
        if conn.execute(sa.select(TIMERS.c.id).where(due).limit(1)).first() is None:
            return 0
    stmt = sa.select(TIMERS).where(due).order_by(TIMERS.c.due_at, TIMERS.c.id).limit(batch)
    if platform.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    with begin_write(platform.engine) as conn:
        claimed = conn.execute(stmt).all()
        for timer in claimed:
            event: dict[str, Any] = {"type": "timer_fired", "token": timer.token}
            if timer.task_id is not None:
                event = {"type": "deadline", "task": timer.task_id, "purpose": timer.purpose}
            try:
                with conn.begin_nested():
                    conn.execute(sa.delete(TIMERS).where(TIMERS.c.id == timer.id))
                    if timer.task_id is not None:
                        records = _records(platform, conn, timer.instance_id)
                        deadlines.fire(conn, records, timer, now, platform=platform)
                        continue
                    send_event(
                        conn,
                        _records(platform, conn, timer.instance_id),
                        int(timer.instance_id),
                        event,
                        now,
                        platform=platform,
                    )
            except Exception as exc:  # the step is retried, then becomes an incident
                attempts = int(timer.attempts) + 1
                error = f"{type(exc).__name__}: {exc}"
                where = TIMERS.c.id == timer.id
                if attempts >= max_attempts:
                    record_incident(conn, int(timer.instance_id), event, error, attempts, now)
                    conn.execute(sa.delete(TIMERS).where(where))
                else:
                    later = now + timedelta(seconds=retry_seconds * 2 ** (attempts - 1))
                    conn.execute(
                        sa.update(TIMERS)
                        .where(where)
                        .values(due_at=later, attempts=attempts, last_error=error)
                    )
                log.info("process timer %s failed (attempt %s): %s", timer.id, attempts, error)
    return len(claimed)


def _records(platform: Platform, conn: sa.Connection, instance_id: int) -> Records | None:
    row = conn.execute(
        sa.select(INSTANCES.c.app, INSTANCES.c.entity).where(INSTANCES.c.id == instance_id)
    ).first()
    if row is None or row.entity is None:
        return None
    try:
        return platform.apps.records(conn, row.app)
    except NotFound:
        return None


def earliest_due(conn: sa.Connection) -> datetime | None:
    value = conn.execute(sa.select(sa.func.min(TIMERS.c.due_at))).scalar_one_or_none()
    return value if isinstance(value, datetime) else None


Clock = Callable[[], datetime]
