"""Monitoring a flow (docs/process.md, "Monitoring"): its instances by state, the time its
tasks take per node (count, average, 90th percentile, aggregated in SQL), the tasks open now
and how long they have waited, and the open incidents, which an administrator resumes.

Resuming an incident takes the step it could not take again, in a savepoint: done, the
incident is resolved; failing again, it stays open with one attempt more and the new error.
An ``assign`` incident (nobody left to take a task) is resolved by transferring the task.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.errors import Conflict, JimuError, NotFound
from jimu.platform.process.instances import (
    INCIDENTS,
    INSTANCES,
    TASKS,
    send_event,
)
from jimu.platform.records import Records

#: Open tasks listed on the monitor, longest waiting first.
OPEN_TASKS_SHOWN = 100
#: Incidents listed on the monitor, oldest first.
INCIDENTS_SHOWN = 100


def _seconds(dialect: str, start: Any, end: Any) -> Any:
    """``end - start`` in seconds, in SQL."""
    if dialect == "postgresql":
        return sa.func.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def flow_monitor(conn: sa.Connection, app: str, flow: str, now: datetime) -> dict[str, Any]:
    """What the monitor shows for ``flow`` of ``app`` (every version of it)."""
    of_flow = sa.and_(INSTANCES.c.app == app, INSTANCES.c.flow == flow)
    by_status = {
        str(status): int(count)
        for status, count in conn.execute(
            sa.select(INSTANCES.c.status, sa.func.count())
            .where(of_flow)
            .group_by(INSTANCES.c.status)
        )
    }
    return {
        "flow": flow,
        "instances": by_status,
        "total": sum(by_status.values()),
        "nodes": _node_times(conn, of_flow),
        "open_tasks": _open_tasks(conn, of_flow, now),
        "incidents": _incidents(conn, of_flow),
    }


def _node_times(conn: sa.Connection, of_flow: Any) -> list[dict[str, Any]]:
    """Per task node: tasks done and open, the average and 90th-percentile time from a task's
    creation to its completion (seconds), in two statements whatever the number of tasks."""
    dialect = conn.dialect.name
    tasks = sa.select(TASKS).join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id).where(of_flow)
    counts = tasks.subquery()
    rows = conn.execute(
        sa.select(
            counts.c.node,
            sa.func.count().filter(counts.c.status == "done").label("done"),
            sa.func.count().filter(counts.c.status.in_(("open", "waiting"))).label("open"),
            sa.func.avg(
                sa.case(
                    (
                        counts.c.status == "done",
                        _seconds(dialect, counts.c.created_at, counts.c.completed_at),
                    )
                )
            ).label("average"),
        ).group_by(counts.c.node)
    ).all()
    done = tasks.where(TASKS.c.status == "done", TASKS.c.completed_at.is_not(None)).subquery()
    duration = _seconds(dialect, done.c.created_at, done.c.completed_at)
    ranked = sa.select(
        done.c.node,
        duration.label("seconds"),
        sa.func.row_number().over(partition_by=done.c.node, order_by=duration).label("rank"),
        sa.func.count().over(partition_by=done.c.node).label("n"),
    ).subquery()
    # The nearest-rank 90th percentile: the value at rank ceil(0.9 n).
    wanted = (ranked.c.n * 9 + 9) // 10
    p90 = {
        str(node): float(seconds)
        for node, seconds in conn.execute(
            sa.select(ranked.c.node, ranked.c.seconds).where(ranked.c.rank == wanted)
        )
    }
    return [
        {
            "node": str(r.node),
            "done": int(r.done),
            "open": int(r.open),
            "average_seconds": None if r.average is None else round(float(r.average), 1),
            "p90_seconds": None if r.node not in p90 else round(p90[str(r.node)], 1),
        }
        for r in sorted(rows, key=lambda r: str(r.node))
    ]


def _open_tasks(conn: sa.Connection, of_flow: Any, now: datetime) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(
            TASKS.c.id, TASKS.c.instance_id, TASKS.c.node, TASKS.c.assignees, TASKS.c.created_at
        )
        .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
        .where(of_flow, TASKS.c.status.in_(("open", "waiting")))
        .order_by(TASKS.c.created_at, TASKS.c.id)
        .limit(OPEN_TASKS_SHOWN)
    ).all()
    return [
        {
            "id": int(r.id),
            "instance_id": int(r.instance_id),
            "node": str(r.node),
            "users": [int(u) for u in r.assignees or []],
            "created_at": r.created_at.isoformat(),
            "waiting_seconds": round(max((now - r.created_at).total_seconds(), 0.0), 1),
        }
        for r in rows
    ]


def _incidents(conn: sa.Connection, of_flow: Any) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(INCIDENTS)
        .join(INSTANCES, INSTANCES.c.id == INCIDENTS.c.instance_id)
        .where(of_flow, INCIDENTS.c.resolved_at.is_(None))
        .order_by(INCIDENTS.c.id)
        .limit(INCIDENTS_SHOWN)
    ).all()
    return [incident_view(r) for r in rows]


def incident_view(r: Any) -> dict[str, Any]:
    return {
        "id": int(r.id),
        "instance_id": int(r.instance_id),
        "event": dict(r.event or {}),
        "error": str(r.error),
        "attempts": int(r.attempts),
        "created_at": r.created_at.isoformat(),
        "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
    }


def incident(conn: sa.Connection, incident_id: int) -> Any:
    row = conn.execute(sa.select(INCIDENTS).where(INCIDENTS.c.id == incident_id)).first()
    if row is None:
        raise NotFound(f"No process incident {incident_id}.")
    return row


class IncidentFailedAgain(Exception):
    """The step failed again: the caller commits the incident's new attempt and error (they
    are written), then answers 409 with :attr:`error`."""

    def __init__(self, incident_id: int, error: str) -> None:
        super().__init__(f"Incident {incident_id} failed again: {error}")
        self.incident_id = incident_id
        self.error = error


def resume_incident(
    conn: sa.Connection,
    records: Records | None,
    incident_id: int,
    now: datetime,
    *,
    platform: Any = None,
) -> dict[str, Any]:
    """Take the incident's step again (see the module's docstring); returns the incident."""
    row = incident(conn, incident_id)
    if row.resolved_at is not None:
        raise Conflict(f"Incident {incident_id} was resolved already.")
    event: Mapping[str, Any] = dict(row.event or {})
    if event.get("type") == "assign":
        raise Conflict(
            f"Incident {incident_id}: nobody was left to take task {event.get('task')}; "
            "transfer the task to someone to resolve it."
        )
    where = INCIDENTS.c.id == incident_id
    try:
        with conn.begin_nested():
            send_event(conn, records, int(row.instance_id), event, now, platform=platform)
    except Exception as exc:  # the step's own failure, kept on the incident
        error = exc.message if isinstance(exc, JimuError) else f"{type(exc).__name__}: {exc}"
        conn.execute(
            sa.update(INCIDENTS).where(where).values(attempts=row.attempts + 1, error=error)
        )
        raise IncidentFailedAgain(incident_id, error) from None
    conn.execute(sa.update(INCIDENTS).where(where).values(resolved_at=now))
    return incident_view(incident(conn, incident_id))
