"""Process instances as rows: start one, send it an event, complete a task, read its trace.

Every operation is one step of the engine inside the caller's transaction: the instance row is
locked (``FOR UPDATE`` on PostgreSQL; SQLite has one writer), its state read from the instance
and token rows, the event applied by the pure engine, and only what changed written back —
the instance's columns that changed, the tokens moved, the tasks and timers the effects create
or withdraw, and one step row (the trace). A failure raises and the caller's transaction
writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.process import Flow, step
from jimu.engines.process.engine import ProcessError
from jimu.engines.process.state import State
from jimu.errors import NotFound
from jimu.platform.models import (
    ProcessIncident,
    ProcessInstance,
    ProcessStep,
    ProcessTask,
    ProcessTimer,
    ProcessToken,
)
from jimu.platform.process.flows import flow_version, published_flow
from jimu.platform.records import Records

if TYPE_CHECKING:
    from jimu.platform.state import Platform

INSTANCES: sa.Table = ProcessInstance.__table__  # type: ignore[assignment]
TOKENS: sa.Table = ProcessToken.__table__  # type: ignore[assignment]
TASKS: sa.Table = ProcessTask.__table__  # type: ignore[assignment]
TIMERS: sa.Table = ProcessTimer.__table__  # type: ignore[assignment]
STEPS: sa.Table = ProcessStep.__table__  # type: ignore[assignment]
INCIDENTS: sa.Table = ProcessIncident.__table__  # type: ignore[assignment]

# The statements of every step, built once (building one costs more than running it; the
# values are bound at execution).
_INSTANCE = sa.select(INSTANCES).where(INSTANCES.c.id == sa.bindparam("b_id"))
_INSTANCE_LOCKED = _INSTANCE.with_for_update()
_INSTANCE_STATUS = sa.select(INSTANCES.c.status).where(INSTANCES.c.id == sa.bindparam("b_id"))
_TOKENS = sa.select(TOKENS).where(TOKENS.c.instance_id == sa.bindparam("b_id"))
_ONE_TOKEN = sa.and_(
    TOKENS.c.instance_id == sa.bindparam("b_id"), TOKENS.c.token == sa.bindparam("b_token")
)
_TOKEN_DATA = sa.select(TOKENS.c.data).where(_ONE_TOKEN)
_DELETE_TOKEN = sa.delete(TOKENS).where(_ONE_TOKEN)
_UPDATE_TOKEN = (
    sa.update(TOKENS)
    .where(_ONE_TOKEN)
    .values(node=sa.bindparam("b_node"), data=sa.bindparam("b_data", type_=TOKENS.c.data.type))
)
_INSERT_TOKEN = sa.insert(TOKENS)
_INSERT_STEP = sa.insert(STEPS)


@dataclass(frozen=True)
class StepResult:
    instance_id: int
    status: str
    trace: list[str]
    effects: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Loaded:
    row: Any
    state: State
    flow: Flow
    label: str


@dataclass
class StepContext:
    """One step's surroundings: the connection, the app's records and the platform (effects
    that send or write records need them), the instance and its record, the time, and the
    follow-up steps queued for after this one (automatic approvals, a service node's end, a
    sub-process's end reaching its parent)."""

    conn: sa.Connection
    records: Records | None
    platform: Platform | None
    now: datetime
    instance_id: int
    app: str
    flow_name: str
    flow: Flow
    label: str
    entity: str | None
    record_id: int | None
    initiator: int | None
    parent_id: int | None
    parent_token: str | None
    record: dict[str, Any]
    event: Mapping[str, Any]
    queue: list[FollowUp]
    #: The instance's variables after the step (a service node reads ``old`` as ``$old``).
    variables: Mapping[str, Any] = field(default_factory=dict)


#: A step to take after the current one: ("auto", task_id, reason) or ("event", instance_id,
#: event) — the latter only if the instance still waits for it (a parent's token).
FollowUp = tuple[str, int, Any]
#: How many follow-up steps one call may take (a flow that approves itself forever stops).
MAX_FOLLOW_UPS = 200


def start_instance(
    conn: sa.Connection,
    records: Records | None,
    app: str,
    flow_name: str,
    now: datetime,
    *,
    entity: str | None = None,
    record_id: int | None = None,
    variables: Mapping[str, Any] | None = None,
    start: str | None = None,
    initiator_id: int | None = None,
    platform: Platform | None = None,
    parent: tuple[int, str] | None = None,
    queue: list[FollowUp] | None = None,
) -> StepResult:
    """Start the published version of ``flow_name`` (on a record when given). Without an
    ``initiator_id`` the record's owner is the initiator (a flow a rule starts)."""
    version, doc, flow = published_flow(conn, app, flow_name)
    flow_entity = doc.get("entity")
    if record_id is not None and flow_entity is not None and entity != flow_entity:
        raise ProcessError(
            f"flow {flow_name!r} runs on {flow_entity!r} records, not {entity!r}",
            code="process_error",
            status=422,
        )
    record = _record(conn, records, entity, record_id)
    if initiator_id is None and isinstance(record.get("owner_id"), int):
        initiator_id = int(record["owner_id"])
    event: dict[str, Any] = {"type": "start", "vars": dict(variables or {})}
    if start is not None:
        event["start"] = start
    if initiator_id is not None:
        event["by"] = initiator_id
    result = step(flow, None, event, condition_values(records, entity, record))
    instance_id = conn.execute(
        sa.insert(INSTANCES)
        .values(
            app=app,
            flow=flow_name,
            flow_version=version,
            entity=entity,
            record_id=record_id,
            status=result.state["status"],
            seq=result.state["seq"],
            groups=result.state["groups"],
            joins=result.state["joins"],
            variables=result.state["vars"],
            started_at=now,
            ended_at=None if result.state["status"] == "running" else now,
            initiator_id=initiator_id,
            parent_id=parent[0] if parent else None,
            parent_token=parent[1] if parent else None,
        )
        .returning(INSTANCES.c.id)
    ).scalar_one()
    fresh = [
        {
            "instance_id": instance_id,
            "token": token_id,
            "node": token["node"],
            "data": {k: v for k, v in token.items() if k != "node"},
        }
        for token_id, token in result.state["tokens"].items()
    ]
    if fresh:  # a new instance: every token is new (one insert, no update tried first)
        conn.execute(sa.insert(TOKENS), fresh)
    top = queue is None
    ctx = StepContext(
        conn, records, platform, now, int(instance_id), app, flow_name, flow,
        _label(doc), entity, record_id, initiator_id, parent[0] if parent else None,
        parent[1] if parent else None, record, event, [] if queue is None else queue,
        result.state["vars"],
    )  # fmt: skip
    effects = carry_out(ctx, result.effects)
    _log_step(conn, instance_id, event, result.trace, effects, now)
    status = result.state["status"]
    if top and ctx.queue:
        drain(conn, records, platform, ctx.queue, now)
        status = _status(conn, int(instance_id))
    return StepResult(int(instance_id), status, result.trace, effects)


def send_event(
    conn: sa.Connection,
    records: Records | None,
    instance_id: int,
    event: Mapping[str, Any],
    now: datetime,
    *,
    platform: Platform | None = None,
    queue: list[FollowUp] | None = None,
) -> StepResult:
    """Apply ``event`` to the instance (one step), then the follow-up steps it queued."""
    loaded = _load(conn, instance_id)
    record = _record(conn, records, loaded.row.entity, loaded.row.record_id)
    result = step(
        loaded.flow, loaded.state, event, condition_values(records, loaded.row.entity, record)
    )
    delta = result.delta
    values: dict[str, Any] = {}
    for key, column in (("status", "status"), ("seq", "seq")):
        if key in delta:
            values[column] = delta[key]
    for key, column in (("groups", "groups"), ("joins", "joins"), ("vars", "variables")):
        if key in delta:
            values[column] = result.state[key]
    if delta.get("status", "running") != "running":
        values["ended_at"] = now
    if values:
        conn.execute(sa.update(INSTANCES).where(INSTANCES.c.id == instance_id).values(**values))
    _write_tokens(conn, instance_id, delta.get("tokens", {}))
    top = queue is None
    row = loaded.row
    ctx = StepContext(
        conn, records, platform, now, instance_id, row.app, row.flow, loaded.flow, loaded.label,
        row.entity, row.record_id, row.initiator_id, row.parent_id, row.parent_token, record,
        event, [] if queue is None else queue, result.state["vars"],
    )  # fmt: skip
    effects = carry_out(ctx, result.effects)
    _log_step(conn, instance_id, dict(event), result.trace, effects, now)
    status = result.state["status"]
    if top and ctx.queue:
        drain(conn, records, platform, ctx.queue, now)
        status = _status(conn, instance_id)
    return StepResult(instance_id, status, result.trace, effects)


def drain(
    conn: sa.Connection,
    records: Records | None,
    platform: Platform | None,
    queue: list[FollowUp],
    now: datetime,
) -> None:
    """Take the follow-up steps, oldest first (each may queue more)."""
    taken = 0
    while queue:
        taken += 1
        if taken > MAX_FOLLOW_UPS:
            raise ProcessError(
                "the flow keeps taking steps by itself (automatic approvals or sub-processes "
                "in a loop)",
                code="process_error",
                status=409,
            )
        kind, target, payload = queue.pop(0)
        if kind == "auto":
            _auto_approve(conn, records, platform, target, str(payload), now, queue)
            continue
        event = dict(payload)
        if not _waits(conn, target, event):
            continue
        send_event(conn, records, target, event, now, platform=platform, queue=queue)


def _waits(conn: sa.Connection, instance_id: int, event: Mapping[str, Any]) -> bool:
    """Whether the instance still takes ``event`` (a parent whose token was withdrawn, or an
    instance that ended meanwhile, does not)."""
    status = conn.execute(_INSTANCE_STATUS, {"b_id": instance_id}).scalar_one_or_none()
    if status != "running":
        return False
    if "token" not in event:
        return True
    found = conn.execute(_TOKEN_DATA, {"b_id": instance_id, "b_token": event.get("token")})
    token = found.scalar_one_or_none()
    wanted = {"service_done": "service", "subprocess_done": "subprocess"}.get(str(event["type"]))
    return token is not None and (wanted is None or token.get("wait") == wanted)


def _auto_approve(
    conn: sa.Connection,
    records: Records | None,
    platform: Platform | None,
    task_id: int,
    reason: str,
    now: datetime,
    queue: list[FollowUp],
) -> None:
    task = conn.execute(sa.select(TASKS).where(TASKS.c.id == task_id)).one()
    claimed = conn.execute(
        sa.update(TASKS)
        .where(TASKS.c.id == task_id, TASKS.c.status == "open")
        .values(status="done", outcome="approve", completed_at=now)
    )
    if claimed.rowcount != 1:
        return  # withdrawn meanwhile
    event = {
        "type": "task_done",
        "token": task.token,
        "index": task.position,
        "outcome": "approve",
        "task": task_id,
        "auto": reason,
    }
    origin = dict(task.origin or {})
    if origin.get("then") or origin.get("added") == "before":
        _hand_over(conn, records, platform, task, origin, event, now, queue)
        return
    send_event(conn, records, int(task.instance_id), event, now, platform=platform, queue=queue)


def complete_task(
    conn: sa.Connection,
    records: Records | None,
    task_id: int,
    now: datetime,
    *,
    outcome: str | None = None,
    values: Mapping[str, Any] | None = None,
    user_id: int | None = None,
    comment: str | None = None,
    platform: Platform | None = None,
    edited: Sequence[str] = (),
    auto: str | None = None,
    attachments: Sequence[Mapping[str, Any]] = (),
) -> StepResult:
    """Complete an open task with ``outcome`` (the node's first outcome when None);
    ``edited`` names the record's fields the person changed with it (kept in the step);
    ``auto`` says why nobody did (``overdue``: a deadline decided it); ``attachments`` are the
    files the decision attaches (claimed already: ``comment_files.claim_comment_files``).

    A task with people still to act after it (the rest of a manager chain, a signer added
    after) hands over to the next on its node's first outcome (approve); a signer added before
    gives the task back to its owner on approve. Otherwise the token moves (one step)."""
    task = conn.execute(sa.select(TASKS).where(TASKS.c.id == task_id)).first()
    if task is None:
        raise NotFound(f"No process task {task_id}.")
    if task.status != "open":
        raise ProcessError(f"task {task_id} is {task.status}", code="process_error", status=409)
    origin = dict(task.origin or {})
    hands_over = bool(origin.get("then") or origin.get("added") == "before")
    first = None
    if outcome is None or hands_over:  # the node's outcomes are needed (else the engine checks)
        outcomes = _outcomes(conn, int(task.instance_id), task)
        first = outcomes[0]
        if outcome is not None and outcome not in outcomes:
            raise ProcessError(
                f"{outcome!r} is not an outcome of {task.node!r}: {outcomes}",
                code="process_error",
                status=409,
            )
    taken = outcome if outcome is not None else str(first)
    done = {
        "status": "done",
        "completed_at": now,
        "completed_by": user_id,
        "outcome": taken,
        "comment": comment,
    }
    claimed = conn.execute(
        sa.update(TASKS).where(TASKS.c.id == task_id, TASKS.c.status == "open").values(**done)
    )
    if claimed.rowcount != 1:
        raise ProcessError(
            f"task {task_id} was completed already", code="process_error", status=409
        )
    event: dict[str, Any] = {
        "type": "task_done",
        "token": task.token,
        "index": task.position,
        "values": dict(values or {}),
        "outcome": taken,
        "task": task_id,
        "by": user_id,
    }
    if comment:
        event["comment"] = comment
    if attachments:
        event["attachments"] = [dict(a) for a in attachments]
    if edited:
        event["edited"] = list(edited)
    if auto:
        event["auto"] = auto
    conn.execute(sa.delete(TIMERS).where(TIMERS.c.task_id == task_id))  # its deadline's
    instance_id = int(task.instance_id)
    if hands_over and taken == first:
        queue: list[FollowUp] = []
        _hand_over(conn, records, platform, task, origin, event, now, queue)
        drain(conn, records, platform, queue, now)
        return StepResult(instance_id, _status(conn, instance_id), [], [])
    if origin.get("added") == "before":  # the signer added before decided otherwise
        conn.execute(
            sa.update(TASKS)
            .where(TASKS.c.id == origin["for"], TASKS.c.status == "waiting")
            .values(status="cancelled", completed_at=now)
        )
    return send_event(conn, records, instance_id, event, now, platform=platform)


def _outcomes(conn: sa.Connection, instance_id: int, task: Any) -> list[str]:
    row = conn.execute(sa.select(INSTANCES).where(INSTANCES.c.id == instance_id)).one()
    _, flow = flow_version(conn, row.app, row.flow, row.flow_version)
    outcomes = flow.node(task.node).get("outcomes")
    if outcomes:
        return [str(o) for o in outcomes]
    return ["approve", "reject"] if task.kind == "approval" else ["done"]


def _hand_over(
    conn: sa.Connection,
    records: Records | None,
    platform: Platform | None,
    task: Any,
    origin: Mapping[str, Any],
    event: dict[str, Any],
    now: datetime,
    queue: list[FollowUp],
) -> None:
    """The token stays: the next person of the chain gets the task, or (a signer added before
    approved) the task goes back to whom it was added for."""
    from jimu.platform.process.effects import open_task

    instance_id = int(task.instance_id)
    ctx = _context(conn, records, platform, instance_id, event, now, queue)
    if origin.get("added") == "before":
        conn.execute(
            sa.update(TASKS)
            .where(TASKS.c.id == origin["for"], TASKS.c.status == "waiting")
            .values(status="open")
        )
        event["back_to"] = origin["for"]
    else:
        then = list(origin["then"])
        nxt, _ = open_task(
            ctx,
            {"token": task.token, "index": task.position, "node": task.node, "task": task.kind,
             "item": task.item},
            [then[0]],
            {"then": then[1:]} if then[1:] else {},
        )  # fmt: skip
        event["next"] = nxt
    _log_step(conn, instance_id, event, [], [], now)


def _context(
    conn: sa.Connection,
    records: Records | None,
    platform: Platform | None,
    instance_id: int,
    event: Mapping[str, Any],
    now: datetime,
    queue: list[FollowUp],
) -> StepContext:
    """The surroundings of a step the platform takes without the engine (a hand-over)."""
    loaded = _load(conn, instance_id)
    row = loaded.row
    record = _record(conn, records, row.entity, row.record_id)
    return StepContext(
        conn, records, platform, now, instance_id, row.app, row.flow, loaded.flow, loaded.label,
        row.entity, row.record_id, row.initiator_id, row.parent_id, row.parent_token, record,
        event, queue, loaded.state["vars"],
    )  # fmt: skip


def _status(conn: sa.Connection, instance_id: int) -> str:
    return str(
        conn.execute(
            sa.select(INSTANCES.c.status).where(INSTANCES.c.id == instance_id)
        ).scalar_one()
    )


def _label(doc: Mapping[str, Any]) -> str:
    label = doc.get("label") or {}
    return (
        str(label.get("zh") or label.get("en") or doc.get("name", ""))
        if label
        else str(doc.get("name", ""))
    )


def record_incident(
    conn: sa.Connection,
    instance_id: int,
    event: Mapping[str, Any],
    error: str,
    attempts: int,
    now: datetime,
) -> int:
    """A step that kept failing: kept for an administrator, with the event it could not take."""
    return int(
        conn.execute(
            sa.insert(INCIDENTS)
            .values(
                instance_id=instance_id,
                event=dict(event),
                error=error,
                attempts=attempts,
                created_at=now,
            )
            .returning(INCIDENTS.c.id)
        ).scalar_one()
    )


def instance_trace(conn: sa.Connection, instance_id: int) -> list[dict[str, Any]]:
    """The instance's steps, oldest first: event, nodes entered, effects, time."""
    rows = conn.execute(
        sa.select(STEPS).where(STEPS.c.instance_id == instance_id).order_by(STEPS.c.id)
    ).all()
    return [
        {"event": r.event, "trace": r.trace, "effects": r.effects, "at": r.at.isoformat()}
        for r in rows
    ]


def task_view(r: Any) -> dict[str, Any]:
    """A task as the API shows it: ``users`` are the ids of its people (``assignees``, the
    same as entries), ``origin`` where they came from."""
    return {
        "id": r.id,
        "instance_id": r.instance_id,
        "node": r.node,
        "kind": r.kind,
        "position": r.position,
        "assignees": r.assignees,
        "users": [a["id"] for a in r.assignees if a.get("kind") == "user"],
        "item": r.item,
        "status": r.status,
        "outcome": r.outcome,
        "comment": r.comment,
        "origin": r.origin or {},
        "completed_by": r.completed_by,
        "created_at": r.created_at.isoformat(),
        "completed_at": r.completed_at.isoformat() if r.completed_at else None,
        "due_at": r.due_at.isoformat() if r.due_at else None,
    }


def open_tasks(conn: sa.Connection, instance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(TASKS)
        .where(TASKS.c.instance_id == instance_id, TASKS.c.status == "open")
        .order_by(TASKS.c.id)
    ).all()
    return [task_view(r) for r in rows]


def all_tasks(conn: sa.Connection, instance_id: int) -> list[dict[str, Any]]:
    """Every task of the instance, oldest first (open, waiting, done, cancelled)."""
    rows = conn.execute(
        sa.select(TASKS).where(TASKS.c.instance_id == instance_id).order_by(TASKS.c.id)
    ).all()
    return [task_view(r) for r in rows]


def open_incidents(conn: sa.Connection, instance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(INCIDENTS)
        .where(INCIDENTS.c.instance_id == instance_id, INCIDENTS.c.resolved_at.is_(None))
        .order_by(INCIDENTS.c.id)
    ).all()
    return [
        {"id": r.id, "event": r.event, "error": r.error, "created_at": r.created_at.isoformat()}
        for r in rows
    ]


def list_instances(
    conn: sa.Connection,
    app: str,
    *,
    flow: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    stmt = sa.select(INSTANCES).where(INSTANCES.c.app == app)
    if flow is not None:
        stmt = stmt.where(INSTANCES.c.flow == flow)
    if status is not None:
        stmt = stmt.where(INSTANCES.c.status == status)
    rows = conn.execute(stmt.order_by(INSTANCES.c.id.desc()).limit(limit)).all()
    return [
        {
            "id": r.id,
            "flow": r.flow,
            "flow_version": r.flow_version,
            "entity": r.entity,
            "record_id": r.record_id,
            "status": r.status,
            "initiator_id": r.initiator_id,
            "parent_id": r.parent_id,
            "started_at": r.started_at.isoformat(),
            "ended_at": r.ended_at.isoformat() if r.ended_at else None,
        }
        for r in rows
    ]


# -- rows <-> state -----------------------------------------------------------------------


def _load(conn: sa.Connection, instance_id: int) -> _Loaded:
    stmt = _INSTANCE_LOCKED if conn.dialect.name == "postgresql" else _INSTANCE
    row = conn.execute(stmt, {"b_id": instance_id}).first()
    if row is None:
        raise NotFound(f"No process instance {instance_id}.")
    tokens = {
        t.token: {"node": t.node, **t.data} for t in conn.execute(_TOKENS, {"b_id": instance_id})
    }
    state: State = {
        "status": row.status,
        "seq": row.seq,
        "tokens": tokens,
        "groups": dict(row.groups),
        "joins": dict(row.joins),
        "vars": dict(row.variables),
    }
    doc, flow = flow_version(conn, row.app, row.flow, row.flow_version)
    return _Loaded(row, state, flow, _label(doc))


def _write_tokens(
    conn: sa.Connection, instance_id: int, changed: Mapping[str, dict[str, Any] | None]
) -> None:
    for token_id, token in changed.items():
        key = {"b_id": instance_id, "b_token": token_id}
        if token is None:
            conn.execute(_DELETE_TOKEN, key)
            continue
        data = {k: v for k, v in token.items() if k != "node"}
        updated = conn.execute(_UPDATE_TOKEN, {**key, "b_node": token["node"], "b_data": data})
        if updated.rowcount == 0:
            values = {"instance_id": instance_id, "token": token_id, "node": token["node"]}
            conn.execute(_INSERT_TOKEN, {**values, "data": data})


def _record(
    conn: sa.Connection, records: Records | None, entity: str | None, record_id: int | None
) -> dict[str, Any]:
    """The instance's record as it is now (conditions read it as ``record``)."""
    if records is None or entity is None or record_id is None:
        return {}
    return dict(records.get(conn, entity, record_id, include_deleted=True))


def condition_values(
    records: Records | None, entity: str | None, values: Mapping[str, Any]
) -> dict[str, Any]:
    """``values`` of an ``entity`` record as conditions read them: exact decimals (which JSON
    records give as text, ``"8.00"``) as numbers, so two fields compare as numbers and not
    as text (as the rule engine's ``RecordView.data`` does)."""
    found = dict(values)
    if records is None or entity is None:
        return found
    try:
        decimals = records.runtime.entity(entity).decimal_fields
    except NotFound:  # an entity the published app no longer has: nothing to convert
        return found
    for name in decimals & found.keys():
        value = found[name]
        if isinstance(value, str | Decimal):
            found[name] = float(value)
    return found


def _log_step(
    conn: sa.Connection,
    instance_id: int,
    event: Mapping[str, Any],
    trace: list[str],
    effects: list[dict[str, Any]],
    now: datetime,
) -> None:
    values = {"instance_id": instance_id, "event": dict(event), "trace": trace, "at": now}
    conn.execute(_INSERT_STEP, {**values, "effects": effects})


def carry_out(ctx: StepContext, effects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Carry the step's effects out (jimu.platform.process.effects); what the step log keeps."""
    from jimu.platform.process.effects import carry_out_all

    return carry_out_all(ctx, effects)
