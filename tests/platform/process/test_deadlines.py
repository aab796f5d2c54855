"""Task deadlines on SQLite and PostgreSQL, driving the clock: the due time counted in an app
calendar's working days (the 2026 National Day week skipped), a reminder before it, escalation
to the approver's manager, the automatic decision when overdue (approve, reject, return), timers
that fire once and are no-ops for tasks decided already, and the publish checks."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import sign_in

from jimu.errors import ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.process.actions import withdraw
from jimu.platform.process.instances import (
    INCIDENTS,
    TASKS,
    TIMERS,
    complete_task,
    instance_trace,
    start_instance,
)
from jimu.platform.process.timers import process_timers
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import (
    PASSWORD,
    Org,
    approval_flow,
    documents,
    inbox,
    make_org,
)
from tests.platform.rules.rules_testing import APP, create, records

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = json.loads(
    (Path(__file__).parents[3] / "examples" / "marketing" / "app.json").read_text("utf-8")
)["calendars"]["cn_2026"]
#: Wednesday 30 September 2026, 10:00 in Shanghai: the National Day week comes next.
MONDAY_BEFORE = datetime(2026, 9, 30, 10, tzinfo=SHANGHAI).astimezone(UTC)
BOSS = [{"kind": "manager"}]
HTML = {"Accept": "text/html"}


def publish_with_calendar(platform: Platform, flows: list[dict[str, Any]]) -> None:
    docs = documents()
    lead = next(d for d in docs if d["name"] == "lead")
    lead["fields"].append({"name": "due_on", "type": "datetime", "label": {"en": "Due on"}})
    app = next(d for d in docs if d["kind"] == "app")
    app["calendars"] = {"cn_2026": copy.deepcopy(CALENDAR)}
    with begin_write(platform.engine) as conn:
        for doc in [*docs, *flows]:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)
    platform.apps.forget(APP)


def deadline_flow(deadline: dict[str, Any], *before: dict[str, Any]) -> dict[str, Any]:
    node = {"id": "boss", "type": "approval", "assignees": BOSS, "deadline": deadline}
    return approval_flow("deal", [*before, node])


def start(platform: Platform, org: Org, now: datetime = MONDAY_BEFORE) -> int:
    lead = create(platform, "lead", name="Ann's deal", score=80)
    with begin_write(platform.engine) as conn:
        return start_instance(
            conn, records(platform), APP, "deal", now, entity="lead", record_id=lead["id"],
            initiator_id=org.ann, platform=platform,
        ).instance_id  # fmt: skip


def task_rows(platform: Platform, instance: int) -> list[Any]:
    with platform.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(TASKS).where(TASKS.c.instance_id == instance).order_by(TASKS.c.id)
            )
        )


def events(platform: Platform, instance: int) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return [s["event"] for s in instance_trace(conn, instance)]


def timers(platform: Platform) -> list[tuple[str | None, datetime]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(sa.select(TIMERS.c.purpose, TIMERS.c.due_at).order_by(TIMERS.c.id))
        return [(r.purpose, r.due_at) for r in rows]


def fire(platform: Platform, at: datetime) -> int:
    return process_timers(platform, at)


@pytest.fixture
def org(platform: Platform) -> Org:
    return make_org(platform)


FULL = {
    "due": {"amount": 2, "unit": "working_days"},
    "calendar": "cn_2026",
    "remind": [{"amount": 2, "unit": "hours"}, {"amount": 3, "unit": "working_hours"}],
    "escalate": {},
    "overdue": {"action": "approve", "after": {"amount": 1, "unit": "working_days"}},
}


def test_a_deadline_counts_working_days_reminds_escalates_and_approves_when_overdue(
    platform: Platform, org: Org
) -> None:
    publish_with_calendar(platform, [deadline_flow(FULL)])
    instance = start(platform, org)
    [task] = task_rows(platform, instance)
    due = datetime(2026, 10, 9, 10, tzinfo=SHANGHAI)  # 1–7 October rest: Thu 8th, Fri 9th
    assert task.due_at == due
    assert timers(platform) == [
        ("remind", due - timedelta(hours=2)),
        ("remind", datetime(2026, 10, 8, 16, tzinfo=SHANGHAI)),  # 3 working hours before
        ("escalate", due),
        ("overdue", datetime(2026, 10, 10, 10, tzinfo=SHANGHAI)),  # Saturday 10th is worked
    ]
    assert fire(platform, datetime(2026, 10, 8, 15, 59, tzinfo=SHANGHAI)) == 0  # not yet
    assert fire(platform, datetime(2026, 10, 8, 16, tzinfo=SHANGHAI)) == 1
    assert fire(platform, due - timedelta(hours=2)) == 1
    assert (
        inbox(platform, org.bob)[-1] == "即将到期 Due soon: deal (2026-10-09 10:00 Asia/Shanghai)"
    )
    assert fire(platform, due) == 1
    [task] = task_rows(platform, instance)
    assert [a["id"] for a in task.assignees] == [org.bob, org.carol]  # bob's manager joins
    assert task.origin["escalated"] == [{"from": [org.bob], "to": [org.carol]}]
    assert inbox(platform, org.carol)[-1].startswith("升级 Escalated: deal")
    assert fire(platform, due) == 0  # fired once: the timer row went with its step
    assert fire(platform, datetime(2026, 10, 10, 10, tzinfo=SHANGHAI)) == 1
    [task] = task_rows(platform, instance)
    assert (task.status, task.outcome, task.completed_by) == ("done", "approve", None)
    kinds = [(e["type"], e.get("auto")) for e in events(platform, instance)]
    assert kinds == [
        ("start", None),
        ("remind", None),
        ("remind", None),
        ("escalate", None),
        ("task_done", "overdue"),
    ]
    with platform.engine.connect() as conn:
        status = conn.execute(sa.text("select status from jimu_process_instance")).scalar_one()
    assert status == "completed"
    assert timers(platform) == []


def test_a_task_decided_in_time_leaves_no_timers_and_a_stale_timer_does_nothing(
    platform: Platform, org: Org
) -> None:
    publish_with_calendar(platform, [deadline_flow(FULL)])
    instance = start(platform, org)
    [task] = task_rows(platform, instance)
    with platform.engine.connect() as conn:
        stale = [dict(r._mapping) for r in conn.execute(sa.select(TIMERS))]
    with begin_write(platform.engine) as conn:
        complete_task(conn, records(platform), task.id, MONDAY_BEFORE, outcome="reject")
    assert timers(platform) == []
    # A timer a crash left behind (or one claimed before the decision committed): a no-op.
    with begin_write(platform.engine) as conn:
        conn.execute(sa.insert(TIMERS), [{k: v for k, v in t.items() if k != "id"} for t in stale])
    assert fire(platform, datetime(2027, 1, 1, tzinfo=UTC)) == 4
    [task] = task_rows(platform, instance)
    assert (task.status, task.outcome, task.assignees) == ("done", "reject", [
        {"kind": "user", "id": org.bob}
    ])  # fmt: skip
    assert [e["type"] for e in events(platform, instance)] == ["start", "task_done"]
    assert timers(platform) == []


def test_withdrawing_the_request_withdraws_the_deadline(platform: Platform, org: Org) -> None:
    publish_with_calendar(platform, [deadline_flow(FULL)])
    instance = start(platform, org)
    with begin_write(platform.engine) as conn:
        withdraw(conn, records(platform), instance, MONDAY_BEFORE, user_id=org.ann)
    assert timers(platform) == []


def test_overdue_tasks_reject_or_return_by_themselves(platform: Platform, org: Org) -> None:
    rejecting = {"due": {"amount": 4, "unit": "hours"}, "overdue": {"action": "reject"}}
    publish_with_calendar(platform, [deadline_flow(rejecting)])
    instance = start(platform, org)
    assert fire(platform, MONDAY_BEFORE + timedelta(hours=4)) == 1
    [task] = task_rows(platform, instance)
    assert (task.status, task.outcome) == ("done", "reject")

    back = {"due": {"amount": 1, "unit": "days"}, "overdue": {"action": "return", "to": "fix"}}
    fix = {"id": "fix", "type": "fill", "assignees": [{"kind": "initiator"}]}
    publish_with_calendar(platform, [deadline_flow(back, fix)])
    instance = start(platform, org)
    [fill] = task_rows(platform, instance)
    with begin_write(platform.engine) as conn:
        complete_task(conn, records(platform), fill.id, MONDAY_BEFORE, user_id=org.ann)
    assert fire(platform, MONDAY_BEFORE + timedelta(days=1)) == 1
    rows = task_rows(platform, instance)
    assert [(t.node, t.status) for t in rows] == [
        ("fix", "done"),
        ("boss", "cancelled"),
        ("fix", "open"),  # returned: the initiator fills again
    ]
    returned = events(platform, instance)[-1]
    assert (returned["type"], returned["to"], returned["auto"]) == ("return", "fix", "overdue")


def test_an_overdue_decision_that_fails_writes_nothing_is_retried_then_an_incident(
    platform: Platform, org: Org
) -> None:
    """Returning to a node the token has not passed (it took the other branch) fails: the
    savepoint drops the step, the timer comes back later, and after the last attempt the
    failure is an incident."""
    back = {"due": {"amount": 1, "unit": "hours"}, "overdue": {"action": "return", "to": "fix"}}
    fix = {"id": "fix", "type": "fill", "assignees": [{"kind": "initiator"}]}
    flow = deadline_flow(back)
    flow["nodes"][1:1] = [{"id": "x", "type": "exclusive"}, fix]
    flow["edges"] = [
        {"from": "s", "to": "x"},
        {"from": "x", "to": "fix", "condition": {">": [{"var": "record.score"}, 1000]}},
        {"from": "x", "to": "boss", "default": True},  # a score of 80 goes straight to boss
        {"from": "fix", "to": "boss"},
        {"from": "boss", "to": "e"},
    ]
    publish_with_calendar(platform, [flow])
    instance = start(platform, org)
    due = MONDAY_BEFORE + timedelta(hours=1)
    assert process_timers(platform, due, max_attempts=2, retry_seconds=60) == 1
    [(purpose, retry_at)] = timers(platform)
    assert (purpose, retry_at) == ("overdue", due + timedelta(seconds=60))
    [task] = task_rows(platform, instance)
    assert task.status == "open" and [e["type"] for e in events(platform, instance)] == ["start"]
    assert process_timers(platform, retry_at, max_attempts=2, retry_seconds=60) == 1
    assert timers(platform) == []
    with platform.engine.connect() as conn:
        [incident] = conn.execute(sa.select(INCIDENTS)).all()
    assert incident.event == {"type": "deadline", "task": task.id, "purpose": "overdue"}
    assert "not an earlier node" in incident.error
    [task] = task_rows(platform, instance)
    assert task.status == "open"  # an administrator decides it


def test_escalation_without_a_manager_is_recorded_and_the_task_stays(
    platform: Platform, org: Org
) -> None:
    lonely = {"due": {"amount": 30, "unit": "minutes"}, "escalate": {}}
    flow = deadline_flow(lonely)
    flow["nodes"][1]["assignees"] = [{"kind": "user", "id": org.dave}]  # dave has no manager
    publish_with_calendar(platform, [flow])
    instance = start(platform, org)
    assert fire(platform, MONDAY_BEFORE + timedelta(minutes=30)) == 1
    last = events(platform, instance)[-1]
    assert (last["type"], last["to"]) == ("escalate", [])
    assert "no manager" in last["note"]
    [task] = task_rows(platform, instance)
    assert task.status == "open"


def test_publishing_checks_deadlines(platform: Platform, org: Org) -> None:
    bad = approval_flow(
        "bad",
        [
            {"id": "fix", "type": "fill", "deadline": {
                "due": {"amount": 1, "unit": "working_days"}, "overdue": {"action": "reject"},
                "remind": [{"amount": 1, "unit": "working_hours"}]}},
            {"id": "boss", "type": "approval", "deadline": {
                "due": {"amount": 1, "unit": "days"}, "calendar": "mars",
                "overdue": {"action": "return", "to": "nowhere"}}},
            {"id": "last", "type": "fill", "deadline": {
                "due": {"amount": 1, "unit": "days"},
                "overdue": {"action": "return", "to": "after"}}},
            {"id": "after", "type": "fill"},
        ],
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        publish_with_calendar(platform, [bad])
    pointers = {e.pointer: e.message for e in caught.value.errors}
    assert set(pointers) == {
        "flows/bad.json#/nodes/1/deadline/due/unit",
        "flows/bad.json#/nodes/1/deadline/remind/0/unit",
        "flows/bad.json#/nodes/1/deadline/overdue/action",
        "flows/bad.json#/nodes/2/deadline/overdue/to",
        "flows/bad.json#/nodes/3/deadline/overdue/to",
    }
    assert "does not come before" in pointers["flows/bad.json#/nodes/3/deadline/overdue/to"]
    assert "calendar" in pointers["flows/bad.json#/nodes/1/deadline/due/unit"]
    bad["nodes"][2]["deadline"]["overdue"] = {"action": "approve"}
    bad["nodes"][1]["deadline"] = {"due": {"amount": 1, "unit": "days"}}
    bad["nodes"][3]["deadline"]["overdue"]["to"] = "fix"
    with pytest.raises(ValidationFailed) as caught:
        publish_with_calendar(platform, [bad])
    assert "flows/bad.json#/nodes/2/deadline/calendar" in {e.pointer for e in caught.value.errors}


def test_a_deadline_until_a_date_field_is_due_then_and_none_without_a_date(
    platform: Platform, org: Org
) -> None:
    """``until_field``: the task is due at the record's date-time (an SLA kept on it), with
    its reminders before it and escalation at it; a record without a date gives no deadline."""
    deadline = {"until_field": "due_on", "remind": [{"amount": 1, "unit": "hours"}],
                "escalate": {}}  # fmt: skip
    publish_with_calendar(platform, [deadline_flow(deadline)])
    due = MONDAY_BEFORE + timedelta(hours=30)
    lead = create(platform, "lead", name="Ann's deal", due_on=due.isoformat())
    with begin_write(platform.engine) as conn:
        instance = start_instance(
            conn, records(platform), APP, "deal", MONDAY_BEFORE, entity="lead",
            record_id=lead["id"], initiator_id=org.ann, platform=platform,
        ).instance_id  # fmt: skip
    [task] = task_rows(platform, instance)
    assert task.due_at == due
    assert timers(platform) == [("remind", due - timedelta(hours=1)), ("escalate", due)]
    assert fire(platform, due) == 2
    [task] = task_rows(platform, instance)
    assert [a["id"] for a in task.assignees] == [org.bob, org.carol]
    undated = start(platform, org)  # a lead without a date: no due time, no timers
    [task] = task_rows(platform, undated)
    assert task.due_at is None and timers(platform) == []


def test_publishing_checks_a_deadline_until_a_field(platform: Platform, org: Org) -> None:
    bad = approval_flow(
        "bad",
        [
            {"id": "a", "type": "approval", "deadline": {"until_field": "name"}},
            {"id": "b", "type": "approval", "deadline": {
                "until_field": "due_on", "due": {"amount": 1, "unit": "days"}}},
            {"id": "c", "type": "approval", "deadline": {"remind": []}},
        ],
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        publish_with_calendar(platform, [bad])
    pointers = {e.pointer: e.message for e in caught.value.errors}
    assert set(pointers) == {"flows/bad.json#/nodes/2/deadline", "flows/bad.json#/nodes/3/deadline"}
    assert "either 'due' or 'until_field'" in pointers["flows/bad.json#/nodes/3/deadline"]
    bad["nodes"][2]["deadline"] = {"until_field": "due_on"}  # the graph is right: the app next
    bad["nodes"][3]["deadline"] = {"due": {"amount": 1, "unit": "days"}}
    with pytest.raises(ValidationFailed) as caught:
        publish_with_calendar(platform, [bad])
    [error] = caught.value.errors
    assert error.pointer == "flows/bad.json#/nodes/1/deadline/until_field"
    assert "'name' is not a date or date-time field" in error.message


def test_the_inbox_and_the_approval_page_show_the_due_time_and_overdue(
    platform: Platform, org: Org, app: FastAPI
) -> None:
    """bob's to-do is due at a time already past: the inbox and the approval page say
    "overdue" (in both languages); the timeline names the escalation and the automatic
    decision."""
    publish_with_calendar(platform, [deadline_flow(FULL)])
    instance = start(platform, org)  # due Friday 9 October 2026
    [task] = task_rows(platform, instance)
    with TestClient(app) as client:
        sign_in(client, "bob", PASSWORD)
        for lang, due, overdue in (("en", "Due", "Overdue"), ("zh", "截止", "已超时")):
            page = client.get(f"/tasks?lang={lang}", headers=HTML).text
            row = page[page.index(f'data-row="{task.id}"') :]
            row = row[: row.index("</tr>")]
            assert f"<th>{due}</th>" in page
            late = task.due_at <= datetime.now(UTC)
            assert (overdue in row) == late and "data-due" in row
            page = client.get(f"/tasks/{task.id}?lang={lang}", headers=HTML).text
            assert 'id="task-due"' in page and (overdue in page) == late
    fire(platform, datetime(2026, 10, 10, 10, tzinfo=SHANGHAI))  # escalation and approval
    with TestClient(app) as client:
        sign_in(client, "ann", PASSWORD)
        page = client.get(f"/tasks/instances/{instance}?lang=zh", headers=HTML).text
        assert 'data-event="escalate"' in page and "已升级给上级" in page and "超时自动处理" in page
        assert 'data-event="remind"' in page


def test_an_app_cannot_drop_a_calendar_a_flow_counts_in(platform: Platform, org: Org) -> None:
    publish_with_calendar(platform, [deadline_flow(FULL)])
    app = next(d for d in documents() if d["kind"] == "app")  # without calendars
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, APP, "app", APP, app)
    with pytest.raises(ValidationFailed) as caught, begin_write(platform.engine) as conn:
        store.publish(conn, APP)
    assert [e.pointer for e in caught.value.errors] == [
        "flows/deal.json#/nodes/1/deadline/calendar"
    ]


def test_reminders_and_escalations_go_by_email_when_the_deadline_says(
    platform: Platform, org: Org
) -> None:
    from jimu.platform.models import Delivery, User

    users: sa.Table = User.__table__  # type: ignore[assignment]
    deliveries: sa.Table = Delivery.__table__  # type: ignore[assignment]
    with begin_write(platform.engine) as conn:
        for name in ("bob", "carol"):
            conn.execute(
                sa.update(users)
                .where(users.c.id == getattr(org, name))
                .values(email=f"{name}@example.com")
            )
    mailed = {**FULL, "email": True}
    publish_with_calendar(platform, [deadline_flow(mailed)])
    start(platform, org)
    due = datetime(2026, 10, 9, 10, tzinfo=SHANGHAI)
    assert fire(platform, due) == 3  # two reminders and the escalation
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(deliveries.c.channel, deliveries.c.target).order_by(deliveries.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("email", "bob@example.com"),
        ("email", "bob@example.com"),
        ("email", "carol@example.com"),
    ]
