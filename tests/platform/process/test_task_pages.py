"""The task inbox (``/tasks``: to-dos, done, initiated, copied, counts, filters, bulk
approval) and the approval page (``/tasks/{id}``: the record, the timeline, what comes next,
every action through the page with its problems shown), with who may see what, and the links
the process notifications carry. SQLite, and PostgreSQL with JIMU_TEST_POSTGRES_URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import sign_in

from jimu.platform.models import Notification
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import (
    PASSWORD,
    Org,
    approval_flow,
    inbox,
    make_org,
    publish_app,
)
from tests.platform.rules.rules_testing import APP, create

BASE = f"/api/apps/{APP}/processes"
HTML = {"Accept": "text/html"}
NOTIFICATIONS: sa.Table = Notification.__table__  # type: ignore[assignment]


class People:
    """A signed-in client per user of the test organisation."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.clients: dict[str, TestClient] = {}

    def __getattr__(self, name: str) -> TestClient:
        if name.startswith("_") or name in ("app", "clients"):
            raise AttributeError(name)
        if name not in self.clients:
            client = TestClient(self.app, follow_redirects=False)
            client.__enter__()
            sign_in(client, name, PASSWORD)
            self.clients[name] = client
        return self.clients[name]

    def close(self) -> None:
        for client in self.clients.values():
            client.__exit__(None, None, None)


@pytest.fixture
def org(platform: Platform) -> Org:
    """draft (the initiator fills) → mgr (the manager approves) → cc to eve → dir (the
    director approves) → end; a lead "Big deal" to run it on."""
    org = make_org(platform)
    nodes: list[dict[str, Any]] = [
        {"id": "draft", "type": "fill", "label": {"en": "Fill in", "zh": "填写"},
         "assignees": [{"kind": "initiator"}]},
        {"id": "mgr", "type": "approval", "label": {"en": "Manager check", "zh": "经理审批"},
         "assignees": [{"kind": "manager"}]},
        {"id": "copy", "type": "cc", "recipients": [{"kind": "user", "id": org.eve}]},
        {"id": "dir", "type": "approval", "label": {"en": "Director check", "zh": "总监审批"},
         "assignees": [{"kind": "role", "role": "director"}]},
    ]  # fmt: skip
    publish_app(platform, [approval_flow("review", nodes)])
    return org


@pytest.fixture
def people(app: FastAPI, org: Org) -> Iterator[People]:
    crowd = People(app)
    try:
        yield crowd
    finally:
        crowd.close()


def _start(platform: Platform, client: TestClient, name: str = "Big deal") -> int:
    lead = create(platform, "lead", name=name)["id"]
    response = client.post(f"{BASE}/review/instances", json={"record_id": lead})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _open(client: TestClient, instance: int, node: str) -> int:
    body = client.get(f"{BASE}/instances/{instance}").json()
    return int(next(t["id"] for t in body["tasks"] if t["node"] == node))


def _post(client: TestClient, url: str, data: dict[str, Any] | None = None) -> Any:
    form = {"csrf_token": client.headers["X-CSRF-Token"], **(data or {})}
    return client.post(url, data=form, headers=HTML)


def _submitted(platform: Platform, people: People) -> tuple[int, int]:
    """ann starts the flow and fills her step through the page; the manager's task."""
    instance = _start(platform, people.ann)
    draft = _open(people.ann, instance, "draft")
    done = _post(people.ann, f"/tasks/{draft}/complete", {"outcome": "done"})
    assert done.status_code == 303 and done.headers["location"] == f"/tasks/{draft}?done=approve"
    return instance, _open(people.ann, instance, "mgr")


def _rows(page: str) -> list[str]:
    return re.findall(r'data-row="(\d+)"', page)


def _count(page: str, tab: str) -> int:
    found = re.search(rf'data-count="{tab}">(\d+)<', page)
    assert found, tab
    return int(found.group(1))


def test_each_tab_holds_its_rows_with_counts_and_filters(
    platform: Platform, org: Org, people: People
) -> None:
    instance, mgr = _submitted(platform, people)
    bob = people.bob.get("/tasks", headers=HTML)
    assert bob.status_code == 200
    assert _rows(bob.text) == [str(mgr)] and "Manager check" in bob.text and "Review" in bob.text
    assert people.bob.get("/api/tasks/counts").json() == {
        "todo": 1,
        "done": 0,
        "initiated": 0,
        "cc": 0,
    }
    assert _count(bob.text, "todo") == 1
    ann = people.ann.get("/tasks?tab=initiated", headers=HTML).text
    assert _rows(ann) == [str(instance)] and f'href="/tasks/instances/{instance}"' in ann
    assert _rows(people.ann.get("/tasks?tab=done", headers=HTML).text) != []
    assert "tasks-empty" in people.ann.get("/tasks", headers=HTML).text  # nothing to do
    # Filters: another flow, a date range that excludes today, then one that includes it.
    assert _rows(people.bob.get("/tasks?flow=other", headers=HTML).text) == []
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert _rows(people.bob.get(f"/tasks?since={tomorrow}", headers=HTML).text) == []
    week = (date.today() - timedelta(days=7)).isoformat()
    assert _rows(people.bob.get(f"/tasks?since={week}&app={APP}", headers=HTML).text) == [str(mgr)]
    # bob approves: his to-do moves to done; the cc node copies the request to eve.
    assert _post(people.bob, f"/tasks/{mgr}/complete", {"outcome": "approve"}).status_code == 303
    assert _rows(people.bob.get("/tasks", headers=HTML).text) == []
    assert _rows(people.bob.get("/tasks?tab=done", headers=HTML).text) == [str(mgr)]
    eve = people.eve.get("/tasks?tab=cc", headers=HTML).text
    assert _rows(eve) == [str(instance)] and _count(eve, "cc") == 1
    assert people.carol.get("/api/tasks/counts").json()["todo"] == 1
    zh = people.carol.get("/tasks?lang=zh", headers=HTML).text
    assert "我的待办" in zh and "总监审批" in zh


def test_the_approval_page_shows_the_record_timeline_and_next_steps(
    platform: Platform, org: Org, people: People
) -> None:
    instance, mgr = _submitted(platform, people)
    page = people.bob.get(f"/tasks/{mgr}", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert 'id="task-record"' in text and "Big deal" in text
    assert 'data-event="start"' in text and 'data-event="task_done"' in text
    assert re.findall(r"data-next>([^<]+)<", text) == ["copy", "Director check"]  # past the cc
    assert 'id="return-to"' in text and 'value="draft"' in text
    assert 'data-outcome="approve"' in text and 'data-outcome="reject"' in text
    # The initiator sees the instance, with urge and withdraw, but no decision on bob's task.
    ann = people.ann.get(f"/tasks/{mgr}", headers=HTML).text
    assert 'id="decide-form"' not in ann and 'id="urge-submit"' in ann
    # Someone with nothing to do with it: 403 on the page and on every action.
    assert people.dave.get(f"/tasks/{mgr}", headers=HTML).status_code == 403
    assert people.dave.get(f"/tasks/instances/{instance}", headers=HTML).status_code == 403
    refused = _post(people.dave, f"/tasks/{mgr}/complete", {"outcome": "approve"})
    assert refused.status_code == 403
    assert _open(people.ann, instance, "mgr") == mgr
    assert people.bob.get("/tasks/999999", headers=HTML).status_code == 404


def test_every_action_through_the_page(platform: Platform, org: Org, people: People) -> None:
    instance, mgr = _submitted(platform, people)
    # Return (退回) to the fill step: ann has it again, the timeline says so.
    back = _post(people.bob, f"/tasks/{mgr}/return", {"to": "draft", "comment": "Add the price"})
    assert back.status_code == 303
    draft = _open(people.ann, instance, "draft")
    text = people.ann.get(f"/tasks/{draft}", headers=HTML).text
    assert 'data-event="return"' in text and "Add the price" in text
    # Withdrawing after someone acted is refused, readably, with the API's 409.
    late = _post(people.ann, f"/tasks/instances/{instance}/withdraw")
    assert late.status_code == 409 and "cannot be withdrawn" in late.text
    assert _post(people.ann, f"/tasks/{draft}/complete", {"outcome": "done"}).status_code == 303
    mgr = _open(people.ann, instance, "mgr")
    # Completing a task done already: 409 on the page.
    again = _post(people.ann, f"/tasks/{draft}/complete", {"outcome": "done"})
    assert again.status_code == 409 and "tasks.problem" not in again.text
    # Urge: once, then 429 within ten minutes.
    assert _post(people.ann, f"/tasks/instances/{instance}/urge").status_code == 303
    soon = _post(people.ann, f"/tasks/instances/{instance}/urge")
    assert soon.status_code == 429 and "Too soon" in soon.text
    # Transfer to frank (a user picker), a missing user is a 422 naming the field.
    missing = _post(people.bob, f"/tasks/{mgr}/transfer", {"user_id": ""})
    assert missing.status_code == 422 and "/user_id" in missing.text
    moved = _post(people.bob, f"/tasks/{mgr}/transfer", {"user_id": str(org.frank)})
    assert moved.status_code == 303
    assert _post(people.bob, f"/tasks/{mgr}/complete", {"outcome": "approve"}).status_code == 403
    # frank adds gina before him; gina approves and the task comes back to frank.
    added = _post(
        people.frank, f"/tasks/{mgr}/add-signer", {"mode": "before", "user_id": str(org.gina)}
    )
    assert added.status_code == 303
    gina = _open(people.ann, instance, "mgr")
    assert gina != mgr
    assert _post(people.gina, f"/tasks/{gina}/complete", {"outcome": "approve"}).status_code == 303
    # frank approves with a comment mentioning carol by @username.
    done = _post(
        people.frank,
        f"/tasks/{mgr}/complete",
        {"outcome": "approve", "comment": "ok @dave", "mentions": str(org.gina)},
    )
    assert done.status_code == 303
    assert any("Mentioned" in t for t in inbox(platform, org.dave))
    # A comment on the timeline; carol (the director) rejects, the instance ends.
    note = _post(people.ann, f"/tasks/instances/{instance}/comment", {"text": "Thanks all"})
    assert note.status_code == 303
    director = _open(people.ann, instance, "dir")
    assert (
        _post(people.carol, f"/tasks/{director}/complete", {"outcome": "reject"}).status_code == 303
    )
    final = people.ann.get(f"/tasks/instances/{instance}", headers=HTML).text
    for event in ("return", "transfer", "add_signer", "urge", "comment"):
        assert f'data-event="{event}"' in final, event
    assert "Thanks all" in final and 'id="withdraw-submit"' not in final


def test_withdraw_before_anyone_acted(platform: Platform, org: Org, people: People) -> None:
    instance = _start(platform, people.ann)
    assert people.ann.get("/api/tasks/counts").json()["todo"] == 1  # her fill step
    gone = _post(people.ann, f"/tasks/instances/{instance}/withdraw", {"comment": "wrong"})
    assert gone.status_code == 303
    assert "tasks-empty" in people.ann.get("/tasks", headers=HTML).text
    page = people.ann.get(f"/tasks/instances/{instance}?lang=zh", headers=HTML).text
    assert 'data-event="withdraw"' in page and "已撤销" in page


def test_bulk_approve_lists_the_failures_by_task(
    platform: Platform, org: Org, people: People
) -> None:
    first, one = _submitted(platform, people)
    _, two = _submitted(platform, people)
    _, three = _submitted(platform, people)
    assert _post(people.bob, f"/tasks/{three}/complete", {"outcome": "approve"}).status_code == 303
    form = {"csrf_token": people.bob.headers["X-CSRF-Token"], "task_id": [one, two, three]}
    answer = people.bob.post("/tasks/bulk-approve", data=form, headers=HTML)
    assert answer.status_code == 200
    assert "2 approved, 1 could not be approved" in answer.text
    assert re.findall(r'data-failed="(\d+)"', answer.text) == [str(three)]
    assert _rows(answer.text) == []
    statuses = people.ann.get(f"{BASE}/instances/{first}").json()["all_tasks"]
    assert [t["outcome"] for t in statuses if t["node"] == "mgr"] == ["approve"]
    # Someone else's task in a bulk approval is refused, not approved.
    _, four = _submitted(platform, people)
    form = {"csrf_token": people.eve.headers["X-CSRF-Token"], "task_id": [four]}
    refused = people.eve.post("/tasks/bulk-approve", data=form, headers=HTML)
    assert re.findall(r'data-failed="(\d+)"', refused.text) == [str(four)]


def test_notifications_open_the_task_and_the_instance(
    platform: Platform, org: Org, people: People
) -> None:
    instance, mgr = _submitted(platform, people)
    mine = people.bob.get("/api/notifications").json()
    links = [n["link"] for n in (mine if isinstance(mine, list) else mine["items"])]
    assert f"/tasks/{mgr}" in links
    _post(people.bob, f"/tasks/{mgr}/complete", {"outcome": "approve"})
    with platform.engine.connect() as conn:
        eve = list(
            conn.scalars(sa.select(NOTIFICATIONS.c.link).where(NOTIFICATIONS.c.user_id == org.eve))
        )
    assert eve == [f"/tasks/instances/{instance}"]
    # The inbox's open button follows the link.
    with platform.engine.connect() as conn:
        note = conn.scalar(sa.select(NOTIFICATIONS.c.id).where(NOTIFICATIONS.c.user_id == org.eve))
    opened = _post(people.eve, f"/inbox/{note}/open")
    assert opened.headers["location"] == f"/tasks/instances/{instance}"
    assert people.eve.get(opened.headers["location"], headers=HTML).status_code == 200


def test_a_record_page_starts_its_manual_flows(
    platform: Platform, org: Org, people: People
) -> None:
    lead = create(platform, "lead", name="Small deal")["id"]
    page = people.ann.get(f"/apps/{APP}/lead/{lead}", headers=HTML).text
    assert 'data-flow="review"' in page and "Start: Review" in page
    started = _post(people.ann, "/tasks/start", {"app": APP, "flow": "review", "record_id": lead})
    assert started.status_code == 303
    task = re.fullmatch(r"/tasks/(\d+)\?done=started", started.headers["location"])
    assert task is not None
    shown = people.ann.get(started.headers["location"], headers=HTML).text
    assert "Small deal" in shown and "The request was started." in shown
    assert people.ann.get("/api/tasks/counts").json()["initiated"] == 1
    # A flow that is not published, or no record: refused, nothing started.
    assert (
        _post(
            people.ann, "/tasks/start", {"app": APP, "flow": "nope", "record_id": lead}
        ).status_code
        == 404
    )
    assert _post(people.ann, "/tasks/start", {"app": APP, "flow": "review"}).status_code == 422
    assert people.ann.get("/api/tasks/counts").json()["initiated"] == 1
