"""Task deadlines (a fill or approval node's ``deadline``): the due time counted in calendar
time or in an app calendar's working time, reminders to the task's people, escalation to their
managers and an automatic decision (approve, reject or return) when the task is overdue.

Each is a row of ``jimu_process_timer`` with the task's id and a ``purpose``, written in the
transaction that creates the task and fired by the shared worker like every process timer
(claimed, then deleted with what it does, in one savepoint: a crash neither loses nor repeats
one). A task that is no longer open when its timer fires makes the timer a no-op; completing or
withdrawing a task deletes its timers. See docs/process.md, "Deadlines"."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from jimu.engines.calendar import Calendar, load_calendar
from jimu.engines.process import ProcessError
from jimu.engines.process.document import WORKING_UNITS
from jimu.metadata.time_zone import app_time_zone
from jimu.platform import notify
from jimu.platform.models import User
from jimu.platform.process.instances import TASKS, TIMERS, StepContext, _log_step

if TYPE_CHECKING:
    from jimu.platform.records import Records
    from jimu.platform.state import Platform

USERS: sa.Table = User.__table__  # type: ignore[assignment]
PURPOSES = ("remind", "escalate", "overdue")
_CALENDAR_UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60, "weeks": 7 * 24 * 60}


def add_span(moment: datetime, span: Mapping[str, Any], calendar: Calendar | None) -> datetime:
    """``moment`` plus a deadline span: calendar minutes/hours/days/weeks, or working hours
    or days of ``calendar``."""
    amount, unit = int(span["amount"]), str(span["unit"])
    if unit in WORKING_UNITS:
        if calendar is None:  # publishing refuses this; a guard for older documents
            raise ProcessError(f"{unit} need a calendar", code="process_error", status=422)
        if unit == "working_days":
            return calendar.add_working_days(moment, amount)
        return calendar.add_working_hours(moment, amount)
    return moment + timedelta(minutes=amount * _CALENDAR_UNITS[unit])


def before(due: datetime, span: Mapping[str, Any], calendar: Calendar | None) -> datetime:
    """A reminder's moment: ``span`` before ``due`` (working hours of ``calendar``, or
    calendar minutes/hours/days)."""
    if span["unit"] == "working_hours":
        if calendar is None:
            raise ProcessError("working hours need a calendar", code="process_error", status=422)
        return calendar.subtract_working_time(due, timedelta(hours=int(span["amount"])))
    return due - (add_span(due, span, None) - due)


def field_due(record: Mapping[str, Any], field: str, now: datetime) -> datetime | None:
    """A deadline's ``until_field``: the record's date-time there, or a date's midnight (UTC,
    as a timer node's ``until_field``); None when the field is empty."""
    value = record.get(field)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=now.tzinfo)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=now.tzinfo)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=now.tzinfo)
    return None


def _app_document(conn: sa.Connection, records: Records | None, app: str) -> Mapping[str, Any]:
    if records is not None:
        return records.model.spec
    from jimu.platform import metadata_store as store

    published = store.published(conn, app, "app", app)
    return published.body if published is not None else {}


def deadline_zone(
    conn: sa.Connection,
    records: Records | None,
    app: str,
    deadline: Mapping[str, Any],
    platform: Platform | None,
) -> ZoneInfo:
    """The zone a deadline's times are told in: its calendar's, else the app's."""
    app_doc = _app_document(conn, records, app)
    own = ((app_doc.get("calendars") or {}).get(deadline.get("calendar")) or {}).get("time_zone")
    default = platform.settings.time_zone if platform is not None else "UTC"
    return app_time_zone({"time_zone": own} if own else app_doc, default)


def task_calendar(ctx: StepContext, deadline: Mapping[str, Any]) -> Calendar | None:
    """The calendar a deadline counts working time in (None: it names none)."""
    name = deadline.get("calendar")
    if name is None:
        return None
    app_doc = _app_document(ctx.conn, ctx.records, ctx.app)
    body = (app_doc.get("calendars") or {}).get(name)
    if body is None:
        raise ProcessError(
            f"the app has no calendar {name!r} (app document, 'calendars')",
            code="process_error",
            status=422,
        )
    default = ctx.platform.settings.time_zone if ctx.platform is not None else "UTC"
    return load_calendar(body, app_time_zone(app_doc, default))


def schedule(ctx: StepContext, task_id: int, token: str, node: Mapping[str, Any]) -> None:
    """Set a new task's due time and write its deadline timers (nothing without a deadline)."""
    deadline = node.get("deadline")
    if not deadline:
        return
    calendar = task_calendar(ctx, deadline)
    if "until_field" in deadline:
        due = field_due(ctx.record, str(deadline["until_field"]), ctx.now)
        if due is None:  # the record has no date there: the task has no deadline
            return
    else:
        due = add_span(ctx.now, deadline["due"], calendar)
    ctx.conn.execute(sa.update(TASKS).where(TASKS.c.id == task_id).values(due_at=due))
    timers: list[tuple[str, datetime]] = []
    for span in deadline.get("remind", []):
        at = before(due, span, calendar)
        if at >= ctx.now:
            timers.append(("remind", at))
    for purpose in ("escalate", "overdue"):
        if purpose in deadline:
            after = deadline[purpose].get("after")
            timers.append((purpose, add_span(due, after, calendar) if after else due))
    for purpose, at in timers:
        ctx.conn.execute(
            sa.insert(TIMERS).values(
                instance_id=ctx.instance_id,
                token=token,
                due_at=at,
                attempts=0,
                task_id=task_id,
                purpose=purpose,
            )
        )


def drop_timers(conn: sa.Connection, task_ids: Collection[int]) -> None:
    """A task decided or withdrawn: its deadline timers go."""
    if task_ids:
        conn.execute(sa.delete(TIMERS).where(TIMERS.c.task_id.in_(list(task_ids))))


# -- firing -------------------------------------------------------------------------------


def fire(
    conn: sa.Connection,
    records: Records | None,
    timer: Any,
    now: datetime,
    *,
    platform: Platform | None = None,
) -> None:
    """One deadline timer: a reminder, an escalation or the overdue decision (a no-op when
    the task is no longer open)."""
    task = conn.execute(sa.select(TASKS).where(TASKS.c.id == timer.task_id)).first()
    if task is None or task.status != "open":
        return
    from jimu.platform.process.instances import _load

    loaded = _load(conn, int(task.instance_id))
    if loaded.row.status != "running":
        return
    node = loaded.flow.node(str(task.node))
    deadline = dict(node.get("deadline") or {})
    zone = deadline_zone(conn, records, str(loaded.row.app), deadline, platform)
    label = f"{loaded.label} ({_due_text(task, zone)})"
    key = f"{timer.purpose}:{timer.id}"  # one email per timer, even when fired again
    if timer.purpose == "remind":
        _remind(conn, task, label, deadline, now, platform, key)
    elif timer.purpose == "escalate":
        _escalate(conn, task, label, deadline, now, platform, key)
    elif timer.purpose == "overdue":
        _decide(conn, records, task, deadline, now, platform)


def _users(task: Any) -> list[int]:
    return [int(a["id"]) for a in task.assignees if a.get("kind") == "user"]


def _tell(
    conn: sa.Connection,
    users: list[int],
    title: str,
    task_id: int,
    deadline: Mapping[str, Any],
    key: str,
    platform: Platform | None,
) -> None:
    from jimu.platform.process.effects import task_link

    for user in users:
        notify.post_inbox(conn, user, title=title[:300], link=task_link(task_id))
    if not deadline.get("email") or platform is None or not users:
        return
    rows = conn.execute(sa.select(USERS.c.id, USERS.c.email).where(USERS.c.id.in_(users))).all()
    for row in rows:
        if row.email:
            notify.enqueue_email(
                conn,
                to=[row.email],
                subject=title[:300].replace("{", "(").replace("}", ")"),
                body=task_link(task_id),
                key=f"deadline:{key}:{row.id}",
                sender=platform.settings.smtp_from,
            )


def _due_text(task: Any, zone: ZoneInfo) -> str:
    if task.due_at is None:
        return ""
    return f"{task.due_at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


def _remind(
    conn: sa.Connection,
    task: Any,
    label: str,
    deadline: Mapping[str, Any],
    now: datetime,
    platform: Platform | None,
    key: str,
) -> None:
    users = _users(task)
    overdue = task.due_at is not None and now >= task.due_at
    word = "已超时 Overdue" if overdue else "即将到期 Due soon"
    title = f"{word}: {label}"
    _tell(conn, users, title, int(task.id), deadline, key, platform)
    event = {"type": "remind", "task": int(task.id), "users": users}
    _log_step(conn, int(task.instance_id), event, [], [], now)


def _escalate(
    conn: sa.Connection,
    task: Any,
    label: str,
    deadline: Mapping[str, Any],
    now: datetime,
    platform: Platform | None,
    key: str,
) -> None:
    """The managers of the task's people join it (an added assignee each), and are told."""
    from jimu.platform.process.approvers import managers

    users = _users(task)
    boss_of = managers(conn)
    added: list[int] = []
    for user in users:
        boss = boss_of.get(user)
        if boss is not None and boss not in users and boss not in added:
            added.append(int(boss))
    event: dict[str, Any] = {"type": "escalate", "task": int(task.id), "from": users, "to": added}
    if added:
        origin = dict(task.origin or {})
        origin["escalated"] = [*origin.get("escalated", []), {"from": users, "to": added}]
        people = [*task.assignees, *({"kind": "user", "id": u} for u in added)]
        conn.execute(
            sa.update(TASKS).where(TASKS.c.id == task.id).values(assignees=people, origin=origin)
        )
        title = f"升级 Escalated: {label}"
        _tell(conn, added, title, int(task.id), deadline, key, platform)
    else:
        event["note"] = "nobody to escalate to: the task's people have no manager"
    _log_step(conn, int(task.instance_id), event, [], [], now)


def _decide(
    conn: sa.Connection,
    records: Records | None,
    task: Any,
    deadline: Mapping[str, Any],
    now: datetime,
    platform: Platform | None,
) -> None:
    """The overdue task decides itself: approve (the node's first outcome), reject, or
    return to the node named; the step's event says ``auto: overdue``."""
    from jimu.platform.process.actions import return_task
    from jimu.platform.process.instances import complete_task

    overdue = deadline.get("overdue") or {}
    action = overdue.get("action")
    if action == "return":
        return_task(
            conn, records, int(task.id), str(overdue["to"]), now,
            user_id=None, platform=platform, auto="overdue",
        )  # fmt: skip
        return
    outcome = "reject" if action == "reject" else None
    complete_task(
        conn, records, int(task.id), now, outcome=outcome, platform=platform, auto="overdue"
    )
