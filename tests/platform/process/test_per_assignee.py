"""``multi.per_assignee``: instance i of a multi-instance task is the task of the i-th
``assignees`` entry — 会签 (everyone named, in parallel) and "one after another" (in turn) among
named approvers, as the flow designer writes them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from jimu.platform.models import User
from jimu.platform.state import Platform
from tests.platform.process.test_process_instances import flow
from tests.platform.rules.rules_testing import APP, create, publish

APPROVED = {"==": [{"var": "outcome"}, "approve"]}
REJECTED = {">": [{"var": "outcomes.reject"}, 0]}


def signing(mode: str, people: list[int]) -> dict[str, Any]:
    entries = [{"kind": "user", "id": p} for p in people]
    multi = {"mode": mode, "count": len(people), "per_assignee": True, "complete_when": REJECTED}
    return flow(
        "sign",
        [
            {"id": "s", "type": "start", "on": "manual"},
            {"id": "sign", "type": "approval", "assignees": entries, "multi": multi},
            {"id": "ok", "type": "end"},
            {"id": "no", "type": "end", "result": "reject"},
        ],
        [
            {"from": "s", "to": "sign"},
            {"from": "sign", "to": "ok", "condition": APPROVED},
            {"from": "sign", "to": "no", "default": True},
        ],
    )


def start(platform: Platform, client: TestClient) -> dict[str, Any]:
    lead = create(platform, "lead", name="Ann", score=75)
    answer = client.post(
        f"/api/apps/{APP}/processes/sign/instances", json={"record_id": lead["id"]}
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def complete(client: TestClient, task: dict[str, Any], outcome: str) -> dict[str, Any]:
    answer = client.post(
        f"/api/apps/{APP}/processes/tasks/{task['id']}/complete", json={"outcome": outcome}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_countersign_gives_each_named_approver_their_own_task(
    platform: Platform, admin: User, user: User, admin_client: TestClient
) -> None:
    publish(platform, [signing("parallel", [user.id, admin.id])])
    body = start(platform, admin_client)
    tasks = sorted(body["tasks"], key=lambda t: t["position"])
    assert [t["users"] for t in tasks] == [[user.id], [admin.id]]
    after = complete(admin_client, tasks[1], "approve")
    assert after["status"] == "running"
    assert complete(admin_client, tasks[0], "approve")["status"] == "completed"


def test_in_turn_asks_the_next_entry_only_after_the_previous(
    platform: Platform, admin: User, user: User, admin_client: TestClient
) -> None:
    publish(platform, [signing("sequential", [user.id, admin.id])])
    body = start(platform, admin_client)
    [first] = body["tasks"]
    assert first["users"] == [user.id]
    [second] = complete(admin_client, first, "approve")["tasks"]
    assert second["users"] == [admin.id]
    assert complete(admin_client, second, "reject")["status"] == "rejected"
