"""Carrying out a step's effects in the step's transaction: tasks (with their people resolved),
timers, cc notifications (the rule engine's notify handler: inbox, email, group robots), a
service node's actions (the rule engine's actions and effect handlers), sub-processes, and the
end (a sub-process's end moves its parent's token). See docs/process.md, "Effects"."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from jimu.engines.process import ProcessError
from jimu.engines.rule import PlannedEffect, RecordView, compile_rule
from jimu.engines.rule.plan import PlannedWrite
from jimu.platform import notify
from jimu.platform.process import deadlines
from jimu.platform.process.approvers import Who, approved_users, named_users, resolve_task
from jimu.platform.process.instances import (
    INSTANCES,
    STEPS,
    TASKS,
    TIMERS,
    StepContext,
    record_incident,
    start_instance,
)
from jimu.platform.records import WriteContext

_UNITS = {"minutes": "minutes", "hours": "hours", "days": "days", "weeks": "weeks"}


def _fail(message: str) -> ProcessError:
    return ProcessError(message, code="process_error", status=422)


def carry_out_all(ctx: StepContext, effects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Carry out ``effects`` in order; returns them as the step log keeps them (a created
    task with its id and people, a cc with who was notified, the actions' results)."""
    done: list[dict[str, Any]] = []
    for effect in effects:
        kind = effect["effect"]
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise _fail(f"the {kind!r} effect is not known to this version of Jimu")
        done.append({**effect, **handler(ctx, effect)})
    return done


# -- tasks --------------------------------------------------------------------------------


def who_of(ctx: StepContext) -> Who:
    """What the entries are read against: the initiator, the record and its department fields."""
    departments: frozenset[str] = frozenset()
    if ctx.records is not None and ctx.entity is not None:
        entity = ctx.records.model.entities.get(ctx.entity)
        if entity is not None:
            departments = frozenset(f.name for f in entity.fields if f.type == "department")
    return Who(ctx.app, ctx.initiator, ctx.record, departments, ctx.flow_name)


def open_task(
    ctx: StepContext,
    effect: Mapping[str, Any],
    candidates: list[int] | None,
    origin: Mapping[str, Any] | None = None,
) -> tuple[int, list[int]]:
    """Create a task row for ``effect``; its id and people. Its people are ``candidates``
    (given: a transfer, an added signer, the next of a chain) or resolved from the node's
    entries; both go through delegation, separation of duties and automatic approval. Nobody
    left is an incident (the task stays open, without people, for an admin to transfer)."""
    node = ctx.flow.node(str(effect["node"]))
    if candidates is None and not node.get("assignees"):
        task_id = _insert_task(ctx, effect, [], origin)  # no entries: for the flow designers
        deadlines.schedule(ctx, task_id, str(effect["token"]), node)
        return task_id, []
    multi = node.get("multi") or {}
    index = int(effect.get("index") or 0)
    if candidates is None and multi.get("per_assignee") and index < len(node["assignees"]):
        # 会签/或签/in turn among named approvers: instance i is the i-th entry's task.
        node = {**node, "assignees": [node["assignees"][index]]}
    who = dataclasses.replace(who_of(ctx), node=str(effect["node"]))
    approved = approved_users(ctx.conn, TASKS, ctx.instance_id)
    if candidates is None:
        resolved = resolve_task(ctx.conn, node, who, ctx.now, approved=approved)
    else:
        resolved = resolve_task(
            ctx.conn,
            {**node, "assignees": [{"kind": "user", "id": c} for c in candidates]},
            who,
            ctx.now,
            approved=approved,
        )
    decided = resolved.assignment
    info: dict[str, Any] = dict(origin or {})
    if decided.delegated:
        info["delegated"] = decided.delegated
    if decided.excluded:
        info["excluded"] = decided.excluded
    then = [*resolved.then, *info.get("then", [])]
    if then:
        info["then"] = then
    if decided.auto:
        info["auto"] = decided.auto
    if resolved.turn is not None:
        info["turn"] = resolved.turn
    task_id = _insert_task(ctx, effect, decided.users, info)
    if not decided.auto:
        deadlines.schedule(ctx, task_id, str(effect["token"]), node)
    if decided.problem:
        record_incident(
            ctx.conn,
            ctx.instance_id,
            {"type": "assign", "task": task_id, "node": effect["node"]},
            f"Task {task_id} at {effect['node']!r}: {decided.problem}. "
            "An administrator can transfer it to someone.",
            0,
            ctx.now,
        )
    elif decided.auto:
        ctx.queue.append(("auto", task_id, decided.auto))
    else:
        _tell_assignees(ctx, task_id, decided.users)
    return task_id, decided.users


def _tell_assignees(ctx: StepContext, task_id: int, users: list[int]) -> None:
    """A new task's people get an inbox notification that opens its approval page."""
    for user in users:
        notify.post_inbox(
            ctx.conn, user, title=f"待办 To do: {ctx.label}"[:300], link=task_link(task_id)
        )


def task_link(task_id: int) -> str:
    """The approval page of a task (jimu/builder_ui/pages/tasks)."""
    return f"/tasks/{task_id}"


def instance_link(instance_id: int) -> str:
    """The page of an instance, for its initiator and the people it was copied to."""
    return f"/tasks/instances/{instance_id}"


def _insert_task(
    ctx: StepContext, effect: Mapping[str, Any], users: list[int], origin: Mapping[str, Any] | None
) -> int:
    return int(
        ctx.conn.execute(
            sa.insert(TASKS)
            .values(
                instance_id=ctx.instance_id,
                token=effect["token"],
                position=effect["index"],
                node=effect["node"],
                kind=effect["task"],
                assignees=[{"kind": "user", "id": u} for u in users],
                item=effect.get("item"),
                status="open",
                created_at=ctx.now,
                origin=dict(origin) if origin else None,
            )
            .returning(TASKS.c.id)
        ).scalar_one()
    )


def _create_task(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    given: list[int] | None = None
    if ctx.event.get("type") == "add_instance" and ctx.event.get("user") is not None:
        given = [int(ctx.event["user"])]  # 加签 in parallel: the added signer's task
    origin = {"added": "parallel", "by": ctx.event.get("by")} if given else None
    task_id, users = open_task(ctx, effect, given, origin)
    return {"task_id": task_id, "users": users}


def _cancel_task(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    where = (
        TASKS.c.instance_id == ctx.instance_id,
        TASKS.c.token == effect["token"],
        TASKS.c.position == effect["index"],
        TASKS.c.status.in_(("open", "waiting")),
    )
    deadlines.drop_timers(ctx.conn, ctx.conn.scalars(sa.select(TASKS.c.id).where(*where)).all())
    ctx.conn.execute(
        sa.update(TASKS).where(*where).values(status="cancelled", completed_at=ctx.now)
    )
    return {}


# -- timers -------------------------------------------------------------------------------


def _create_timer(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    ctx.conn.execute(
        sa.insert(TIMERS).values(
            instance_id=ctx.instance_id,
            token=effect["token"],
            due_at=_due(effect, ctx.record, ctx.now),
            attempts=0,
        )
    )
    return {}


def _cancel_timer(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    ctx.conn.execute(
        sa.delete(TIMERS).where(
            TIMERS.c.instance_id == ctx.instance_id,
            TIMERS.c.token == effect["token"],
            TIMERS.c.task_id.is_(None),  # a timer node's, not a task's deadline
        )
    )
    return {}


def _due(effect: Mapping[str, Any], record: Mapping[str, Any], now: datetime) -> datetime:
    if "delay" in effect:
        delay = effect["delay"]
        return now + timedelta(**{_UNITS[delay["unit"]]: int(delay["amount"])})
    value = record.get(effect["field"])
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=now.tzinfo)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=now.tzinfo)
    raise _fail(f"the record has no date in {effect['field']!r} for the timer")


# -- cc, service actions --------------------------------------------------------------------


def _step_number(ctx: StepContext) -> int:
    """This step's number in its instance (stable across a retry, so keys are idempotent)."""
    count = ctx.conn.execute(_STEP_COUNT, {"b_id": ctx.instance_id}).scalar_one()
    return int(count) + 1


_STEP_COUNT = (
    sa.select(sa.func.count()).select_from(STEPS).where(STEPS.c.instance_id == sa.bindparam("b_id"))
)


def _effect_context(ctx: StepContext, node: str, caused_by: int | None = None) -> Any:
    from jimu.platform.rules.effects import EffectContext

    if ctx.platform is None or ctx.records is None:
        raise _fail(f"node {node!r} needs the platform to carry its effects out")
    view = RecordView(str(ctx.entity), ctx.record)
    write = WriteContext(None, "process", caused_by=caused_by, depth=1)
    rule = f"process:{ctx.flow_name}:{ctx.instance_id}:{node}"
    return EffectContext(ctx.conn, ctx.records, ctx.platform, write, view, rule, _step_number(ctx))


def _notify(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    """抄送: the node's recipients get the notice (inbox; email and a group robot when the
    node asks), through the rule engine's notify handler when the flow runs on a record."""
    node = ctx.flow.node(str(effect["node"]))
    users, then = named_users(ctx.conn, effect.get("recipients", []), who_of(ctx))
    users += [u for u in then if u not in users]
    title = str(node.get("title") or ctx.label)
    if ctx.record_id is None or ctx.entity is None:
        for user in users:
            notify.post_inbox(
                ctx.conn,
                user,
                title=title[:300],
                body=str(node.get("body", "")),
                link=instance_link(ctx.instance_id),
            )
        return {"notified": users}
    from jimu.platform.rules.effect_handlers import carry_out_notify

    payload: dict[str, Any] = {
        "recipients": [{"kind": "user", "id": u} for u in users],
        "title": title,
        "body": str(node.get("body", "")),
        "inbox": True,
        "email": bool(node.get("email")),
        "link": instance_link(ctx.instance_id),
    }
    if node.get("robot"):
        payload["robot"] = node["robot"]
    planned = PlannedEffect(0, "notify", ctx.entity, ctx.record_id, payload)
    result = carry_out_notify(_effect_context(ctx, str(effect["node"])), planned)
    return {"notified": result["recipients"]}


#: Service nodes' actions compiled, by app, entity and actions, with the app model they were
#: compiled against (a publish builds a new model, so they compile again).
_SERVICE_RULES: dict[tuple[str, str, bytes], tuple[Any, Any]] = {}
_SERVICE_RULES_KEPT = 256


def _run_actions(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    """A service node: the rule engine's actions on the instance's record, in this step's
    transaction; the token moves on in the next step (``service_done``)."""
    from jimu.engines.form.registry import default_registry
    from jimu.metadata.rules import rule_scope
    from jimu.platform.rules.effects import carry_out
    from jimu.platform.rules.execute import carry_out_write
    from jimu.platform.rules.tables import published_tables

    node = str(effect["node"])
    if ctx.records is None or ctx.entity is None or ctx.record_id is None:
        raise _fail(f"the service node {node!r} runs actions on a record: this instance has none")
    model = ctx.records.model
    key = (ctx.app, ctx.entity, orjson.dumps(effect["actions"], option=orjson.OPT_SORT_KEYS))
    kept = _SERVICE_RULES.get(key)
    if kept is not None and kept[0] is model:
        rule = kept[1]
    else:
        scope = rule_scope(model, default_registry(), published_tables(ctx.conn, ctx.app))
        body = {
            "name": "process",
            "entity": ctx.entity,
            "trigger": {"on": "created"},
            "actions": effect["actions"],
        }
        rule = compile_rule(body, scope)
        if len(_SERVICE_RULES) >= _SERVICE_RULES_KEPT:
            _SERVICE_RULES.clear()
        _SERVICE_RULES[key] = (model, rule)
    old = ctx.variables.get("old")
    view = RecordView(ctx.entity, ctx.record, old=old if isinstance(old, dict) else {})
    planned_all = [p for p in rule.plan(view) if isinstance(p, PlannedEffect | PlannedWrite)]
    writes = any(isinstance(p, PlannedWrite) for p in planned_all)
    effects = _effect_context(ctx, node, _step_event(ctx, node) if writes else None)
    created: dict[str, int] = {}
    results = [
        carry_out(effects, planned)
        if isinstance(planned, PlannedEffect)
        else carry_out_write(ctx.conn, ctx.records, planned, effects.write, created)
        for planned in planned_all
    ]
    ctx.queue.append(("event", ctx.instance_id, {"type": "service_done", "token": effect["token"]}))
    return {"done": results}


#: The outbox kind of a service step that writes records (see :func:`_step_event`).
STEP_EVENT = "flow_step"


def _step_event(ctx: StepContext, node: str) -> int:
    """Write the service step to the outbox as an event of its own — kind ``flow_step``,
    source ``process``, the flow, instance and node in its payload, already processed — and
    return its id: the step's writes are caused by it, so a flow started by record events
    knows a write of its own (``record_starts``) and rules see the chain, as for a timer's."""
    from jimu.platform.rules.events import OUTBOX

    payload = {"flow": ctx.flow_name, "instance": ctx.instance_id, "node": node}
    values: dict[str, Any] = {"app": ctx.app, "entity": ctx.entity, "record_id": ctx.record_id,
              "kind": STEP_EVENT, "changed_fields": [], "actor_id": None, "source": "process",
              "caused_by": None, "depth": 0, "created_at": ctx.now, "processed_at": ctx.now,
              "old_values": None, "payload": payload}  # fmt: skip
    return int(
        ctx.conn.execute(sa.insert(OUTBOX).values(values).returning(OUTBOX.c.id)).scalar_one()
    )


# -- sub-processes and the end ------------------------------------------------------------


def _start_subprocess(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    from jimu.platform.process.flows import published_flow

    name = str(effect["flow"])
    _, doc, _ = published_flow(ctx.conn, ctx.app, name)
    on_record = doc.get("entity") is not None and doc.get("entity") == ctx.entity
    child = start_instance(
        ctx.conn,
        ctx.records,
        ctx.app,
        name,
        ctx.now,
        entity=ctx.entity if on_record else None,
        record_id=ctx.record_id if on_record else None,
        initiator_id=ctx.initiator,
        platform=ctx.platform,
        parent=(ctx.instance_id, str(effect["token"])),
        queue=ctx.queue,
    )
    if child.status != "running":
        _child_ended(ctx.queue, ctx.instance_id, str(effect["token"]), child.status)
    return {"child": child.instance_id}


def _cancel_subprocess(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    children = ctx.conn.scalars(
        sa.select(INSTANCES.c.id).where(
            INSTANCES.c.parent_id == ctx.instance_id,
            INSTANCES.c.parent_token == effect["token"],
            INSTANCES.c.status == "running",
        )
    ).all()
    for child in children:
        ctx.queue.append(("event", int(child), {"type": "cancel_case", "by_parent": True}))
    return {"children": [int(c) for c in children]}


_RESULT_OUTCOME = {"completed": "complete", "rejected": "reject", "cancelled": "cancel"}


def _child_ended(queue: list[Any], parent_id: int, token: str, status: str) -> None:
    queue.append(
        (
            "event",
            parent_id,
            {"type": "subprocess_done", "token": token, "outcome": _RESULT_OUTCOME[status]},
        )
    )


def _end(ctx: StepContext, effect: dict[str, Any]) -> dict[str, Any]:
    ctx.conn.execute(sa.delete(TIMERS).where(TIMERS.c.instance_id == ctx.instance_id))
    if ctx.parent_id is not None and ctx.parent_token is not None and ctx.event["type"] != "start":
        status = {"complete": "completed", "reject": "rejected", "cancel": "cancelled"}
        _child_ended(ctx.queue, ctx.parent_id, ctx.parent_token, status[str(effect["result"])])
    return {}


_HANDLERS: dict[str, Any] = {
    "create_task": _create_task,
    "cancel_task": _cancel_task,
    "create_timer": _create_timer,
    "cancel_timer": _cancel_timer,
    "notify": _notify,
    "run_actions": _run_actions,
    "start_subprocess": _start_subprocess,
    "cancel_subprocess": _cancel_subprocess,
    "end": _end,
}
