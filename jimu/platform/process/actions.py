"""The approval actions besides approve/reject (``instances.complete_task``): return (退回),
transfer (转交), add a signer (加签) before, after or in parallel, withdraw (撤回), urge (催办)
and comments with @mentions. Each is one step in the caller's transaction, recorded in the
instance's steps (its timeline); who may take it is checked by the API."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.process import ProcessError
from jimu.errors import FieldError, JimuError, NotFound, ValidationFailed
from jimu.platform import notify
from jimu.platform.models import User
from jimu.platform.process.effects import instance_link, task_link
from jimu.platform.process.instances import (
    INCIDENTS,
    INSTANCES,
    STEPS,
    TASKS,
    FollowUp,
    StepResult,
    _context,
    _log_step,
    _status,
    drain,
    send_event,
)
from jimu.platform.records import Records

if TYPE_CHECKING:
    from jimu.platform.state import Platform

USERS: sa.Table = User.__table__  # type: ignore[assignment]
#: Steps that are a person's action on the instance: withdrawing is possible only before one.
ACTED = ("task_done", "transfer", "add_signer", "add_instance", "return")
#: How often the open tasks of one instance may be urged.
URGE_INTERVAL = timedelta(minutes=10)
ADD_MODES = ("before", "after", "parallel")
MENTION = re.compile(r"@([A-Za-z0-9_.\-]{1,150})")


def _conflict(message: str) -> ProcessError:
    return ProcessError(message, code="process_error", status=409)


def open_task_row(conn: sa.Connection, task_id: int) -> Any:
    task = conn.execute(sa.select(TASKS).where(TASKS.c.id == task_id)).first()
    if task is None:
        raise NotFound(f"No process task {task_id}.")
    if task.status != "open":
        raise _conflict(f"task {task_id} is {task.status}")
    return task


def task_users(task: Any) -> list[int]:
    return [int(a["id"]) for a in task.assignees if a.get("kind") == "user"]


def _user_exists(conn: sa.Connection, user_id: int, pointer: str) -> None:
    active = conn.execute(
        sa.select(USERS.c.is_active).where(USERS.c.id == user_id)
    ).scalar_one_or_none()
    if not active:
        raise ValidationFailed(
            "No such active user.",
            [FieldError(pointer, f"there is no active user {user_id}", "reference")],
        )


def return_task(
    conn: sa.Connection,
    records: Records | None,
    task_id: int,
    to: str,
    now: datetime,
    *,
    user_id: int | None,
    comment: str | None = None,
    platform: Platform | None = None,
    auto: str | None = None,
) -> StepResult:
    """退回: the task's token goes back to ``to``, a task node it passed; the tasks at its
    node are withdrawn and those of ``to`` created anew (their people resolved again).
    ``auto``: why nobody did (``overdue``)."""
    task = open_task_row(conn, task_id)
    event: dict[str, Any] = {
        "type": "return",
        "token": task.token,
        "to": to,
        "task": task_id,
        "by": user_id,
    }
    if comment:
        event["comment"] = comment
    if auto:
        event["auto"] = auto
    conn.execute(sa.update(TASKS).where(TASKS.c.id == task_id).values(comment=comment))
    return send_event(conn, records, int(task.instance_id), event, now, platform=platform)


def transfer_task(
    conn: sa.Connection,
    task_id: int,
    to_user: int,
    now: datetime,
    *,
    user_id: int | None,
    comment: str | None = None,
) -> dict[str, Any]:
    """转交: the task changes hands; its origin and the step keep who had it. An incident of
    the task (nobody to approve) is resolved by it."""
    task = open_task_row(conn, task_id)
    _user_exists(conn, to_user, "/user_id")
    before = task_users(task)
    if before == [to_user]:
        raise ValidationFailed(
            "The task is theirs already.",
            [FieldError("/user_id", "the task is this user's already", "same")],
        )
    origin = dict(task.origin or {})
    moved = {"from": before, "to": to_user, "by": user_id}
    origin["transferred"] = [*origin.get("transferred", []), moved]
    conn.execute(
        sa.update(TASKS)
        .where(TASKS.c.id == task_id)
        .values(assignees=[{"kind": "user", "id": to_user}], origin=origin)
    )
    conn.execute(
        sa.update(INCIDENTS)
        .where(
            INCIDENTS.c.instance_id == task.instance_id,
            INCIDENTS.c.resolved_at.is_(None),
            INCIDENTS.c.event["task"].as_integer() == task_id,
        )
        .values(resolved_at=now)
    )
    event: dict[str, Any] = {"type": "transfer", "task": task_id, **moved}
    if comment:
        event["comment"] = comment
    _log_step(conn, int(task.instance_id), event, [], [], now)
    return {"task": task_id, "users": [to_user], "from": before}


def add_signer(
    conn: sa.Connection,
    records: Records | None,
    task_id: int,
    mode: str,
    signer: int,
    now: datetime,
    *,
    user_id: int | None,
    comment: str | None = None,
    platform: Platform | None = None,
) -> dict[str, Any]:
    """加签: ``before`` (the signer acts first, then the task comes back), ``after`` (after
    this task's approval, before the flow moves on) or ``parallel`` (one more instance of the
    current multi-instance task)."""
    if mode not in ADD_MODES:
        raise ValidationFailed(
            "Unknown way to add a signer.",
            [FieldError("/mode", f"mode must be one of {list(ADD_MODES)}", "enum")],
        )
    task = open_task_row(conn, task_id)
    _user_exists(conn, signer, "/user_id")
    instance_id = int(task.instance_id)
    event: dict[str, Any] = {
        "type": "add_signer",
        "mode": mode,
        "task": task_id,
        "user": signer,
        "by": user_id,
    }
    if comment:
        event["comment"] = comment
    if mode == "parallel":
        # The engine's event; the step log keeps it with the action's keys (mode, user, by).
        engine_event = {**event, "type": "add_instance", "token": task.token}
        result = send_event(conn, records, instance_id, engine_event, now, platform=platform)
        created = [e["task_id"] for e in result.effects if e["effect"] == "create_task"]
        return {"task": task_id, "added": created}
    queue: list[FollowUp] = []
    ctx = _context(conn, records, platform, instance_id, event, now, queue)
    if mode == "after":
        origin = dict(task.origin or {})
        origin["then"] = [signer, *origin.get("then", [])]
        conn.execute(sa.update(TASKS).where(TASKS.c.id == task_id).values(origin=origin))
        _log_step(conn, instance_id, event, [], [], now)
        return {"task": task_id, "then": origin["then"]}
    from jimu.platform.process.effects import open_task

    conn.execute(sa.update(TASKS).where(TASKS.c.id == task_id).values(status="waiting"))
    effect = {
        "token": task.token,
        "index": task.position,
        "node": task.node,
        "task": task.kind,
        "item": task.item,
    }
    added, _ = open_task(ctx, effect, [signer], {"added": "before", "by": user_id, "for": task_id})
    event["added"] = added
    _log_step(conn, instance_id, event, [], [], now)
    drain(conn, records, platform, queue, now)
    return {"task": task_id, "added": [added]}


def _acted(conn: sa.Connection, instance_id: int) -> bool:
    """Whether a person acted on the instance (an automatic approval is no action)."""
    events = conn.scalars(sa.select(STEPS.c.event).where(STEPS.c.instance_id == instance_id))
    return any(e.get("type") in ACTED and not e.get("auto") for e in events)


def withdraw(
    conn: sa.Connection,
    records: Records | None,
    instance_id: int,
    now: datetime,
    *,
    user_id: int | None,
    comment: str | None = None,
    platform: Platform | None = None,
) -> StepResult:
    """撤回: the initiator takes the request back, until someone has acted on it."""
    if _acted(conn, instance_id):
        raise _conflict(
            "the request cannot be withdrawn: someone has acted on it already (ask them to "
            "return it)"
        )
    event: dict[str, Any] = {"type": "withdraw", "by": user_id}
    if comment:
        event["comment"] = comment
    return send_event(conn, records, instance_id, event, now, platform=platform)


def _about(conn: sa.Connection, instance_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(INSTANCES).where(INSTANCES.c.id == instance_id)).first()
    if row is None:
        raise NotFound(f"No process instance {instance_id}.")
    if row.entity is not None and row.record_id is not None:
        return {"app": row.app, "entity": row.entity, "record_id": row.record_id}
    return {}


def urge(
    conn: sa.Connection, instance_id: int, now: datetime, *, user_id: int | None, title: str
) -> dict[str, Any]:
    """催办: a notification to the people of the open tasks, at most once per
    ``URGE_INTERVAL`` per instance (else 429)."""
    if _status(conn, instance_id) != "running":
        raise _conflict("the instance has ended: there is nobody to urge")
    since = now - URGE_INTERVAL
    last = conn.execute(
        sa.select(STEPS.c.at, STEPS.c.event)
        .where(STEPS.c.instance_id == instance_id, STEPS.c.at > since)
        .order_by(STEPS.c.id.desc())
    ).all()
    if any(r.event.get("type") == "urge" for r in last):
        raise JimuError(
            f"The tasks were urged less than {int(URGE_INTERVAL.total_seconds() // 60)} minutes "
            "ago.",
            code="too_often",
            status=429,
        )
    rows = conn.execute(
        sa.select(TASKS.c.id, TASKS.c.assignees)
        .where(TASKS.c.instance_id == instance_id, TASKS.c.status == "open")
        .order_by(TASKS.c.id)
    ).all()
    their_task: dict[int, int] = {}
    for row in rows:
        for a in row.assignees:
            their_task.setdefault(int(a["id"]), int(row.id))
    users = list(their_task)
    about = _about(conn, instance_id)
    for user in users:
        notify.post_inbox(conn, user, title=title[:300], link=task_link(their_task[user]), **about)
    _log_step(conn, instance_id, {"type": "urge", "by": user_id, "users": users}, [], [], now)
    return {"urged": users}


def mentioned(conn: sa.Connection, text: str, ids: Sequence[int]) -> list[int]:
    """The users a comment mentions: ``ids`` (a picker's) and ``@username`` in the text; an
    unknown id is a 422 at ``/mentions/<i>``."""
    found: list[int] = []
    for i, user_id in enumerate(ids):
        exists = conn.execute(sa.select(USERS.c.id).where(USERS.c.id == user_id)).first()
        if exists is None:
            raise ValidationFailed(
                "A mentioned user does not exist.",
                [FieldError(f"/mentions/{i}", f"there is no user {user_id}", "reference")],
            )
        if user_id not in found:
            found.append(user_id)
    names = sorted(set(MENTION.findall(text)))
    if names:
        for user_id in conn.scalars(sa.select(USERS.c.id).where(USERS.c.username.in_(names))):
            if user_id not in found:
                found.append(int(user_id))
    return found


def comment(
    conn: sa.Connection,
    instance_id: int,
    text: str,
    now: datetime,
    *,
    user_id: int | None,
    mentions: Iterable[int],
    title: str,
    attachments: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """A comment on the instance's timeline (with the files it attaches, claimed already by
    ``comment_files.claim_comment_files``); the users it mentions are notified."""
    people = mentioned(conn, text, list(mentions))
    about = _about(conn, instance_id)
    for person in people:
        if person != user_id:
            notify.post_inbox(
                conn,
                person,
                title=title[:300],
                body=text,
                link=instance_link(instance_id),
                **about,
            )
    event: dict[str, Any] = {"type": "comment", "by": user_id, "text": text, "mentions": people}
    if attachments:
        event["attachments"] = [dict(a) for a in attachments]
    _log_step(conn, instance_id, event, [], [], now)
    return {"mentions": people}


def notify_mentions(
    conn: sa.Connection,
    instance_id: int,
    text: str,
    mentions: Iterable[int],
    *,
    user_id: int | None,
    title: str,
) -> list[int]:
    """An approval's comment mentions people too: they are notified (no step of its own)."""
    people = mentioned(conn, text, list(mentions))
    about = _about(conn, instance_id)
    for person in people:
        if person != user_id:
            notify.post_inbox(
                conn,
                person,
                title=title[:300],
                body=text,
                link=instance_link(instance_id),
                **about,
            )
    return people
