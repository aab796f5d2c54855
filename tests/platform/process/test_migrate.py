"""Migrating running instances to a new flow version (API and monitor page) on SQLite and
PostgreSQL: the instance continues on the new graph, tasks kept or made anew, timers planned
again, the trace keeps a ``migrated`` step, dry runs write nothing, and refusals (a mapping to a
missing node, kinds that differ, a node the new version lacks, rights)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from jimu.platform.models import User, utcnow
from jimu.platform.process.instances import INSTANCES, TASKS, TIMERS, instance_trace
from jimu.platform.state import Platform
from tests.platform.process.test_process_instances import complete, flow, start, tasks
from tests.platform.rules.rules_testing import APP, create, publish

MIGRATIONS = f"/api/apps/{APP}/flows/review/migrations"
HTML = {"Accept": "text/html"}


def _v1(assignees: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    boss: dict[str, Any] = {"id": "boss", "type": "approval"}
    if assignees is not None:
        boss["assignees"] = assignees
    return flow(
        nodes=[
            {"id": "s", "type": "start"},
            boss,
            {"id": "ok", "type": "end"},
        ],
        edges=[{"from": "s", "to": "boss"}, {"from": "boss", "to": "ok"}],
    )


def _v2(boss: str = "boss", assignees: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An approval by the CFO after the boss's."""
    node: dict[str, Any] = {"id": boss, "type": "approval"}
    if assignees is not None:
        node["assignees"] = assignees
    return flow(
        nodes=[
            {"id": "s", "type": "start"},
            node,
            {"id": "cfo", "type": "approval"},
            {"id": "ok", "type": "end"},
        ],
        edges=[
            {"from": "s", "to": boss},
            {"from": boss, "to": "cfo"},
            {"from": "cfo", "to": "ok"},
        ],
    )


def _version(platform: Platform, instance: int) -> int:
    with platform.engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(INSTANCES.c.flow_version).where(INSTANCES.c.id == instance)
            ).scalar_one()
        )


def _running(platform: Platform, count: int = 1) -> list[int]:
    publish(platform, [_v1()])
    return [
        start(platform, "review", create(platform, "lead", name=f"L{i}", score=80)["id"])
        for i in range(count)
    ]


def test_a_migrated_instance_goes_through_the_new_node(
    platform: Platform, admin_client: TestClient
) -> None:
    first, second = _running(platform, 2)
    [task] = tasks(platform, first)
    publish(platform, [_v2()], first=False)

    dry = admin_client.post(MIGRATIONS, json={"from_version": 1, "dry_run": True})
    assert dry.status_code == 200, dry.text
    answer = dry.json()
    assert (answer["to_version"], answer["migrated"], answer["refused"]) == (2, 2, 0)
    assert answer["instances"][0]["moves"] == [
        {"token": "t1", "from": "boss", "to": "boss", "tasks": "kept"}
    ]
    assert _version(platform, first) == 1  # a dry run writes nothing

    done = admin_client.post(MIGRATIONS, json={"from_version": 1, "instances": [first]})
    assert done.status_code == 200, done.text
    assert [(i["id"], i["result"]) for i in done.json()["instances"]] == [(first, "migrated")]
    assert (_version(platform, first), _version(platform, second)) == (2, 1)
    assert tasks(platform, first) == [task]  # the same people: the task is kept
    with platform.engine.connect() as conn:
        migrated = instance_trace(conn, first)[-1]["event"]
    assert migrated["type"] == "migrated"
    assert (migrated["from_version"], migrated["to_version"]) == (1, 2)
    assert migrated["mapping"] == {"boss": "boss"}

    assert complete(platform, task["id"], "approve") == "running"
    [cfo] = tasks(platform, first)
    assert cfo["node"] == "cfo"  # the new version's graph
    assert complete(platform, cfo["id"], "approve") == "completed"
    # The one left on version 1 ends there.
    assert complete(platform, tasks(platform, second)[0]["id"], "approve") == "completed"

    again = admin_client.post(MIGRATIONS, json={"from_version": 1, "instances": [first]})
    [refused] = again.json()["instances"]
    assert refused["result"] == "refused" and "no running instance" in str(refused["reasons"])


def test_bad_mappings_and_versions_are_refused_naming_the_node(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    [instance] = _running(platform)
    publish(platform, [_v2("chief")], first=False)

    missing = admin_client.post(MIGRATIONS, json={"from_version": 1, "mapping": {"boss": "nope"}})
    assert missing.status_code == 422, missing.text
    [error] = missing.json()["errors"]
    assert error["pointer"] == "/mapping/boss" and "'nope'" in error["message"]

    kinds = admin_client.post(MIGRATIONS, json={"from_version": 1, "mapping": {"boss": "ok"}})
    assert kinds.status_code == 422
    [error] = kinds.json()["errors"]
    assert error["pointer"] == "/mapping/boss" and "'approval'" in error["message"]

    unknown = admin_client.post(MIGRATIONS, json={"from_version": 1, "mapping": {"zz": "cfo"}})
    assert unknown.json()["errors"][0]["pointer"] == "/mapping/zz"
    same = admin_client.post(MIGRATIONS, json={"from_version": 2})
    assert same.status_code == 422 and same.json()["errors"][0]["pointer"] == "/to_version"
    absent = admin_client.post(MIGRATIONS, json={"from_version": 7})
    assert absent.json()["errors"][0]["pointer"] == "/from_version"
    assert admin_client.post(MIGRATIONS, json={"from_version": "1"}).status_code == 422

    # The default mapping (same id) finds no 'boss' in version 2: refused, nothing written.
    unmapped = admin_client.post(MIGRATIONS, json={"from_version": 1})
    assert unmapped.status_code == 200
    [refused] = unmapped.json()["instances"]
    assert refused["result"] == "refused"
    assert refused["reasons"][0]["pointer"] == "/mapping/boss"
    assert "map it" in refused["reasons"][0]["message"]
    assert _version(platform, instance) == 1

    assert user_client.post(MIGRATIONS, json={"from_version": 1}).status_code == 403
    other = f"/api/apps/{APP}/flows/nope/migrations"
    assert admin_client.post(other, json={"from_version": 1}).status_code == 404

    [task] = tasks(platform, instance)
    moved = admin_client.post(MIGRATIONS, json={"from_version": 1, "mapping": {"boss": "chief"}})
    assert moved.json()["migrated"] == 1
    [kept] = tasks(platform, instance)
    assert (kept["id"], kept["node"]) == (task["id"], "chief")  # kept, at its new node
    assert complete(platform, kept["id"], "approve") == "running"
    assert [t["node"] for t in tasks(platform, instance)] == ["cfo"]


def test_a_task_node_with_other_people_gets_its_tasks_made_anew(
    platform: Platform, admin_client: TestClient, admin: User
) -> None:
    [instance] = _running(platform)
    [old] = tasks(platform, instance)
    publish(platform, [_v2(assignees=[{"kind": "user", "id": admin.id}])], first=False)
    done = admin_client.post(MIGRATIONS, json={"from_version": 1, "nodes": ["boss"]})
    [result] = done.json()["instances"]
    assert result["moves"][0]["tasks"] == "renewed"
    assert [e["effect"] for e in result["effects"]] == ["cancel_task", "create_task"]
    [new] = tasks(platform, instance)
    assert new["id"] != old["id"] and new["users"] == [admin.id]
    with platform.engine.connect() as conn:
        status = conn.execute(sa.select(TASKS.c.status).where(TASKS.c.id == old["id"]))
        assert status.scalar_one() == "cancelled"
    none = admin_client.post(MIGRATIONS, json={"from_version": 1, "nodes": ["cfo"]})
    assert none.json()["instances"] == []  # nobody waits there on version 1 any more


def test_a_moved_timer_is_planned_again(platform: Platform, admin_client: TestClient) -> None:
    def timed(hours: int) -> dict[str, Any]:
        return flow(
            nodes=[
                {"id": "s", "type": "start"},
                {"id": "t", "type": "timer", "delay": {"amount": hours, "unit": "hours"}},
                {"id": "ok", "type": "end"},
            ],
            edges=[{"from": "s", "to": "t"}, {"from": "t", "to": "ok"}],
        )

    publish(platform, [timed(2)])
    before = utcnow()
    instance = start(platform, "review", create(platform, "lead", name="T", score=1)["id"])
    publish(platform, [timed(5)], first=False)
    done = admin_client.post(MIGRATIONS, json={"from_version": 1})
    assert done.json()["migrated"] == 1, done.text
    with platform.engine.connect() as conn:
        due = conn.execute(
            sa.select(TIMERS.c.due_at).where(TIMERS.c.instance_id == instance)
        ).scalar_one()
    if due.tzinfo is None:
        due = due.replace(tzinfo=before.tzinfo)
    assert before + timedelta(hours=5) - timedelta(minutes=1) <= due
    assert due <= utcnow() + timedelta(hours=5)


def test_the_monitor_page_lists_older_versions_and_migrates(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    [instance] = _running(platform)
    publish(platform, [_v2("chief")], first=False)
    page_url = f"/design/apps/{APP}/flows/review/monitor"
    admin_client.cookies.set("jimu_lang", "zh")
    page = admin_client.get(page_url, headers=HTML)
    assert page.status_code == 200, page.text
    assert 'id="monitor-migrate"' in page.text and "旧版本上的实例" in page.text
    assert re.search(r'data-version="1"[^>]*>', page.text)
    assert 'name="map.boss"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"csrf_token": csrf.group(1), "from_version": "1", "map.boss": "chief"}

    dry = admin_client.post(f"{page_url}/migrate", data={**form, "dry_run": "1"}, headers=HTML)
    assert dry.status_code == 200, dry.text
    assert 'data-migration="dry_run"' in dry.text
    assert f'data-instance="{instance}" data-result="migrated"' in dry.text
    assert _version(platform, instance) == 1

    wrong = admin_client.post(f"{page_url}/migrate", data={**form, "map.boss": "ok"}, headers=HTML)
    assert wrong.status_code == 422 and "/mapping/boss" in wrong.text
    assert _version(platform, instance) == 1

    done = admin_client.post(f"{page_url}/migrate", data=form, headers=HTML)
    assert done.status_code == 200
    assert 'data-migration="done"' in done.text
    assert _version(platform, instance) == 2
    timeline = admin_client.get(f"/tasks/instances/{instance}", headers=HTML)
    assert timeline.status_code == 200 and "迁移到流程的另一个版本" in timeline.text
    assert 'id="monitor-migrate"' not in admin_client.get(page_url, headers=HTML).text
    inbox = user_client.get("/tasks", headers=HTML).text
    theirs = re.search(r'name="csrf_token" value="([^"]+)"', inbox)
    assert theirs is not None
    denied = {**form, "csrf_token": theirs.group(1)}
    assert user_client.post(f"{page_url}/migrate", data=denied, headers=HTML).status_code == 403
