"""The flow monitor (API and page) on SQLite and PostgreSQL: instances by state, time per
task node aggregated in SQL (average and nearest-rank 90th percentile), the tasks waiting
longest, incidents resumed (failing again keeps them open with one attempt more; once the
cause is fixed the step goes through), who may see it, and the flow drawn with the path an
instance took and where it waits."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from jimu.engines.process.layout import layout
from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.process.instances import INCIDENTS, TASKS, list_instances
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.state import Platform
from tests.platform.process.test_process_instances import (
    complete,
    flow,
    start,
    tasks,
)
from tests.platform.rules.rules_testing import APP, create, publish, update

MONITOR = f"/api/apps/{APP}/flows/review/monitor"
HTML = {"Accept": "text/html"}
SCORE = {"var": "record.score"}


def _set_times(platform: Platform, task_id: int, minutes: float | None) -> None:
    """The task was created ``minutes`` before it was completed (an hour ago)."""
    done = utcnow() - timedelta(hours=1)
    with begin_write(platform.engine) as conn:
        values: dict[str, Any] = {"created_at": done - timedelta(minutes=minutes or 0)}
        if minutes is not None:
            values["completed_at"] = done
        conn.execute(sa.update(TASKS).where(TASKS.c.id == task_id).values(**values))


def _review_instances(platform: Platform) -> list[int]:
    """Seven hot leads at the boss (five approved in 10, 20, 30, 40 and 100 minutes, one
    rejected, one still open) and two cold ones at the clerk (one done, one open)."""
    publish(platform, [flow()])
    instances = []
    for minutes in (10, 20, 30, 40, 100, None, 60):
        lead = create(platform, "lead", name="Hot", score=90)
        instance = start(platform, "review", lead["id"])
        instances.append(instance)
        [task] = tasks(platform, instance)
        if minutes is None:
            _set_times(platform, task["id"], None)
            continue
        complete(platform, task["id"], "approve" if minutes != 60 else "reject")
        _set_times(platform, task["id"], minutes)
    for finished in (True, False):
        lead = create(platform, "lead", name="Cold", score=1)
        instance = start(platform, "review", lead["id"])
        [task] = tasks(platform, instance)
        if finished:
            complete(platform, task["id"])
            _set_times(platform, task["id"], 5)
    return instances


def test_the_monitor_counts_states_and_times_per_node(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    _review_instances(platform)
    answer = admin_client.get(MONITOR)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["instances"] == {"completed": 6, "rejected": 1, "running": 2}
    assert data["total"] == 9
    nodes = {n["node"]: n for n in data["nodes"]}
    boss = nodes["boss"]
    assert (boss["done"], boss["open"]) == (6, 1)
    # 10, 20, 30, 40, 60, 100 minutes: average 43⅓ min; nearest-rank p90 is the 6th of 6.
    assert boss["average_seconds"] == round((10 + 20 + 30 + 40 + 60 + 100) * 60 / 6, 1)
    assert boss["p90_seconds"] == 6000.0
    assert (nodes["clerk"]["done"], nodes["clerk"]["open"]) == (1, 1)
    assert nodes["clerk"]["average_seconds"] == nodes["clerk"]["p90_seconds"] == 300.0
    waiting = data["open_tasks"]
    assert [t["node"] for t in waiting] == ["boss", "clerk"]  # the boss's waited longer
    assert waiting[0]["waiting_seconds"] >= 3600
    assert data["incidents"] == []

    assert user_client.get(MONITOR).status_code == 403
    assert admin_client.get(f"/api/apps/{APP}/flows/nope/monitor").status_code == 404


def _failing_flow(platform: Platform) -> tuple[int, int]:
    """A flow whose gateway divides by the lead's score after a timer; the lead's score is 0,
    so the step fails until the score is fixed. Returns (instance, lead)."""
    doc = flow(
        "review",
        nodes=[
            {"id": "s", "type": "start"},
            {"id": "t", "type": "timer", "delay": {"amount": 2, "unit": "hours"}},
            {"id": "x", "type": "exclusive"},
            {"id": "boss", "type": "approval"},
            {"id": "e", "type": "end"},
        ],
        edges=[
            {"from": "s", "to": "t"},
            {"from": "t", "to": "x"},
            {
                "from": "x",
                "to": "boss",
                "condition": {">": [{"/": [100, {"var": "record.score"}]}, 1]},
            },
            {"from": "x", "to": "e", "default": True},
            {"from": "boss", "to": "e"},
        ],
    )
    publish(platform, [doc])
    lead = create(platform, "lead", name="Zero", score=0)
    instance = start(platform, "review", lead["id"])
    later = utcnow() + timedelta(hours=3)
    RuleWorker(platform, WorkerOptions(max_attempts=1), clock=lambda: later).drain()
    return instance, lead["id"]


def test_an_incident_is_resumed_once_its_cause_is_fixed(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    instance, lead = _failing_flow(platform)
    [incident] = admin_client.get(MONITOR).json()["incidents"]
    assert incident["instance_id"] == instance and incident["attempts"] == 1
    resume = f"/api/apps/{APP}/processes/incidents/{incident['id']}/resume"

    assert user_client.post(resume).status_code == 403
    again = admin_client.post(resume)
    assert again.status_code == 409, again.text
    assert "failed again" in again.json()["detail"]
    [kept] = admin_client.get(MONITOR).json()["incidents"]
    assert kept["attempts"] == 2  # the attempt was kept, with its error

    update(platform, "lead", lead, score=50)
    done = admin_client.post(resume)
    assert done.status_code == 200, done.text
    assert done.json()["resolved_at"] is not None
    assert admin_client.get(MONITOR).json()["incidents"] == []
    assert [t["node"] for t in tasks(platform, instance)] == ["boss"]
    assert admin_client.post(resume).status_code == 409  # resolved already
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(INCIDENTS)).scalar() == 1
        assert list_instances(conn, APP)[0]["status"] == "running"
    other = f"/api/apps/other/processes/incidents/{incident['id']}/resume"
    assert admin_client.post(other).status_code in (403, 404)


def _page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_monitor_page_shows_the_flow_and_resumes_from_the_browser(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    instance, lead = _failing_flow(platform)
    page_url = f"/design/apps/{APP}/flows/review/monitor"
    admin_client.cookies.set("jimu_lang", "zh")
    page = admin_client.get(page_url, headers=HTML)
    assert page.status_code == 200, page.text
    assert 'id="monitor-flow"' in page.text and 'data-node="boss"' in page.text
    assert "流程监控" in page.text and "异常" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    [incident] = admin_client.get(MONITOR).json()["incidents"]
    action = f"{page_url}/incidents/{incident['id']}/resume"
    failed = admin_client.post(action, data={"csrf_token": csrf.group(1)}, headers=HTML)
    assert failed.status_code == 409
    assert "再次失败" in _page_text(failed.text)
    update(platform, "lead", lead, score=50)
    resumed = admin_client.post(
        action, data={"csrf_token": csrf.group(1)}, headers=HTML, follow_redirects=False
    )
    assert resumed.status_code == 303
    after = admin_client.get(resumed.headers["location"], headers=HTML)
    assert "已重试" in after.text and 'id="no-incidents"' in after.text
    assert user_client.get(page_url, headers=HTML).status_code == 403

    # The instance page draws where it waits now and the way it came.
    drawn = admin_client.get(f"/tasks/instances/{instance}", headers=HTML).text
    states = dict(re.findall(r'data-node="(\w+)" data-state="(\w+)"', drawn))
    assert states == {"s": "done", "t": "done", "x": "done", "boss": "waiting", "e": "untouched"}


def test_the_layout_layers_a_flow_and_draws_ways_back_on_the_left() -> None:
    doc = flow(
        "rework",
        nodes=[
            {"id": "s", "type": "start"},
            {"id": "fill", "type": "fill"},
            {"id": "check", "type": "approval"},
            {"id": "ok", "type": "end"},
            {"id": "lost", "type": "end"},
        ],
        edges=[
            {"from": "s", "to": "fill"},
            {"from": "fill", "to": "check"},
            {"from": "check", "to": "ok", "condition": {"==": [1, 1]}},
            {"from": "check", "to": "fill", "default": True},
        ],
    )
    picture = layout(doc)
    rows = {b.node: b.y for b in picture.boxes}
    assert rows["s"] < rows["fill"] < rows["check"] < rows["ok"]
    assert rows["lost"] > rows["ok"]  # unreachable: a layer of its own, last
    back = [p for p in picture.paths if p.back]
    assert [(p.source, p.target) for p in back] == [("check", "fill")]
    assert all(b.x >= 0 and b.x + b.width <= picture.width for b in picture.boxes)
