"""The task inbox (docs/process.md, "The task inbox and the approval page"): a user's open
tasks (delegated ones included: delegation names the delegate on the task), the tasks they
acted on (completed, returned, transferred, gave a signer), the instances they started and
those copied to them (cc nodes), with filters by app, flow and date; the counts shown in the
page header; and bulk approval, each task its own step in its own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from jimu.errors import JimuError
from jimu.platform.process.flows import flow_version
from jimu.platform.process.instances import INSTANCES, STEPS, TASKS

TABS = ("todo", "done", "initiated", "cc")
SHOWN = 200


@dataclass(frozen=True)
class Filters:
    """What the inbox is narrowed to: an app, a flow of it, a date range (inclusive)."""

    app: str | None = None
    flow: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class Labels:
    """Flow and node labels, read once per flow version."""

    docs: dict[tuple[str, str, int], Mapping[str, Any]] = field(default_factory=dict)

    def doc(self, conn: sa.Connection, app: str, flow: str, version: int) -> Mapping[str, Any]:
        key = (app, flow, version)
        if key not in self.docs:
            try:
                self.docs[key] = flow_version(conn, app, flow, version)[0]
            except JimuError:  # a flow removed since: show its name
                self.docs[key] = {}
        return self.docs[key]


def assigned_to(user_id: int, dialect: str) -> sa.ColumnElement[bool] | sa.TextClause:
    """Tasks whose people include ``user_id`` (``assignees`` holds ``{"kind": "user", "id"}``)."""
    if dialect == "postgresql":
        people = sa.type_coerce(TASKS.c.assignees, JSONB)
        return people.contains([{"kind": "user", "id": user_id}])
    clause = sa.text(
        "EXISTS (SELECT 1 FROM json_each(jimu_process_task.assignees) AS a "
        "WHERE json_extract(a.value, '$.id') = :inbox_user "
        "AND json_extract(a.value, '$.kind') = 'user')"
    ).bindparams(inbox_user=user_id)
    return clause


def _dated(column: Any, filters: Filters) -> list[sa.ColumnElement[bool]]:
    wheres: list[sa.ColumnElement[bool]] = []
    if filters.since is not None:
        wheres.append(column >= datetime.combine(filters.since, time.min))
    if filters.until is not None:
        wheres.append(column < datetime.combine(filters.until + timedelta(days=1), time.min))
    return wheres


def _narrowed(filters: Filters) -> list[sa.ColumnElement[bool]]:
    wheres: list[sa.ColumnElement[bool]] = []
    if filters.app:
        wheres.append(INSTANCES.c.app == filters.app)
    if filters.flow:
        wheres.append(INSTANCES.c.flow == filters.flow)
    return wheres


#: The step events that are a person's action on a task (its ``task`` and ``by`` keys).
ACTED_EVENTS = ("task_done", "return", "transfer", "add_signer", "add_instance")


def _my_last_acts(user_id: int) -> sa.Subquery:
    """Per task, the last step in which ``user_id`` acted on it (approved, rejected, returned,
    transferred, added a signer)."""
    task_id = STEPS.c.event["task"].as_integer()
    return (
        sa.select(task_id.label("task_id"), sa.func.max(STEPS.c.id).label("step_id"))
        .where(
            STEPS.c.event["by"].as_integer() == user_id,
            STEPS.c.event["type"].as_string().in_(ACTED_EVENTS),
            task_id.is_not(None),
        )
        .group_by(task_id)
        .subquery("my_acts")
    )


def _task_query(conn: sa.Connection, tab: str, user_id: int, filters: Filters) -> sa.Select[Any]:
    joined = TASKS.join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
    columns: list[Any] = [
        TASKS.c.id,
        TASKS.c.node,
        TASKS.c.kind,
        TASKS.c.status,
        TASKS.c.outcome,
        TASKS.c.created_at,
        TASKS.c.completed_at,
        TASKS.c.completed_by,
        TASKS.c.due_at,
        INSTANCES.c.id.label("instance_id"),
        INSTANCES.c.app,
        INSTANCES.c.flow,
        INSTANCES.c.flow_version,
        INSTANCES.c.entity,
        INSTANCES.c.record_id,
        INSTANCES.c.status.label("instance_status"),
        INSTANCES.c.initiator_id,
    ]
    if tab == "todo":
        query = sa.select(*columns).select_from(joined)
        query = query.where(TASKS.c.status == "open", assigned_to(user_id, conn.dialect.name))
        when: Any = TASKS.c.created_at
    else:
        # Every task I acted on, whatever became of it or of its instance since: completed
        # by me, or returned, transferred, given a signer by me (the step log says so).
        acts = _my_last_acts(user_id)
        mine = STEPS.alias("my_step")
        joined = joined.outerjoin(acts, acts.c.task_id == TASKS.c.id).outerjoin(
            mine, mine.c.id == acts.c.step_id
        )
        when = sa.func.coalesce(mine.c.at, TASKS.c.completed_at)
        query = (
            sa.select(
                *columns,
                mine.c.event["type"].as_string().label("acted"),
                when.label("acted_at"),
            )
            .select_from(joined)
            .where(sa.or_(TASKS.c.completed_by == user_id, acts.c.task_id.is_not(None)))
        )
    return query.where(*_narrowed(filters), *_dated(when, filters))


def _instance_query(filters: Filters) -> sa.Select[Any]:
    return sa.select(
        INSTANCES.c.id.label("instance_id"),
        INSTANCES.c.app,
        INSTANCES.c.flow,
        INSTANCES.c.flow_version,
        INSTANCES.c.entity,
        INSTANCES.c.record_id,
        INSTANCES.c.status.label("instance_status"),
        INSTANCES.c.initiator_id,
        INSTANCES.c.started_at,
        INSTANCES.c.ended_at,
    ).where(*_narrowed(filters), *_dated(INSTANCES.c.started_at, filters))


def copied_instances(conn: sa.Connection, user_id: int) -> list[int]:
    """The instances whose cc nodes notified ``user_id``, newest first (from the step log:
    a cc step's ``notify`` effect keeps who was notified)."""
    rows = conn.execute(
        sa.select(STEPS.c.instance_id, STEPS.c.effects)
        .where(sa.cast(STEPS.c.effects, sa.Text).like('%"notify"%'))
        .order_by(STEPS.c.id.desc())
    ).all()
    found: list[int] = []
    for row in rows:
        for effect in row.effects or []:
            notified = effect.get("notified") or []
            named = effect.get("effect") == "notify" and user_id in notified
            if named and row.instance_id not in found:
                found.append(int(row.instance_id))
    return found


def rows_of(
    conn: sa.Connection, tab: str, user_id: int, filters: Filters, limit: int = SHOWN
) -> list[dict[str, Any]]:
    """The rows of one tab, newest first, each with its flow's and node's labels."""
    if tab in ("todo", "done"):
        order = TASKS.c.id.desc()
        rows = conn.execute(_task_query(conn, tab, user_id, filters).order_by(order).limit(limit))
    elif tab == "initiated":
        query = _instance_query(filters).where(INSTANCES.c.initiator_id == user_id)
        rows = conn.execute(query.order_by(INSTANCES.c.id.desc()).limit(limit))
    else:
        ids = copied_instances(conn, user_id)
        if not ids:
            return []
        query = _instance_query(filters).where(INSTANCES.c.id.in_(ids))
        rows = conn.execute(query.order_by(INSTANCES.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]


def counts(conn: sa.Connection, user_id: int, filters: Filters | None = None) -> dict[str, int]:
    """How many rows each tab holds (to-dos: open tasks)."""
    filters = filters or Filters()
    answer: dict[str, int] = {}
    for tab in ("todo", "done"):
        query = _task_query(conn, tab, user_id, filters).subquery()
        answer[tab] = int(conn.execute(sa.select(sa.func.count()).select_from(query)).scalar_one())
    initiated = _instance_query(filters).where(INSTANCES.c.initiator_id == user_id).subquery()
    answer["initiated"] = int(
        conn.execute(sa.select(sa.func.count()).select_from(initiated)).scalar_one()
    )
    ids = copied_instances(conn, user_id)
    if ids:
        copied = _instance_query(filters).where(INSTANCES.c.id.in_(ids)).subquery()
        answer["cc"] = int(
            conn.execute(sa.select(sa.func.count()).select_from(copied)).scalar_one()
        )
    else:
        answer["cc"] = 0
    return answer


def apps_and_flows(conn: sa.Connection, user_id: int) -> list[tuple[str, str]]:
    """The (app, flow) pairs the user's inbox can hold, for the filters' choices."""
    dialect = conn.dialect.name
    mine = sa.or_(
        INSTANCES.c.initiator_id == user_id,
        INSTANCES.c.id.in_(
            sa.select(TASKS.c.instance_id).where(
                sa.or_(TASKS.c.completed_by == user_id, assigned_to(user_id, dialect))
            )
        ),
    )
    rows = conn.execute(
        sa.select(INSTANCES.c.app, INSTANCES.c.flow).where(mine).distinct().order_by("app", "flow")
    )
    return [(r.app, r.flow) for r in rows]


@dataclass(frozen=True)
class BulkResult:
    """What a bulk approval did: the tasks approved and, by task, why the others were not."""

    approved: list[int]
    failed: dict[int, str]


def approve_each(
    task_ids: Iterable[int],
    approve_one: Callable[[int], None],
    describe: Callable[[JimuError], str],
) -> BulkResult:
    """Approve every task with ``approve_one`` (its own transaction); a failure is kept by
    task and the rest go on."""
    approved: list[int] = []
    failed: dict[int, str] = {}
    for task_id in dict.fromkeys(task_ids):
        try:
            approve_one(task_id)
        except JimuError as problem:  # each task stands alone: report and go on
            failed[task_id] = describe(problem)
        else:
            approved.append(task_id)
    return BulkResult(approved, failed)
