"""The minimal process API: start on a record, list, read with trace, complete a task."""

from __future__ import annotations

from fastapi.testclient import TestClient

from jimu.platform.models import User
from jimu.platform.state import Platform
from tests.platform.process.test_process_instances import flow
from tests.platform.rules.rules_testing import APP, create, publish


def test_start_list_read_and_complete(
    platform: Platform, admin_client: TestClient, user: User, user_client: TestClient
) -> None:
    doc = flow()
    doc["nodes"][2]["assignees"] = [{"kind": "user", "id": user.id}]
    publish(platform, [doc])
    lead = create(platform, "lead", name="Ann", score=75)
    started = admin_client.post(
        f"/api/apps/{APP}/processes/review/instances", json={"record_id": lead["id"]}
    )
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["trace"] == ["s", "x", "boss"]
    [task] = body["tasks"]
    listed = admin_client.get(f"/api/apps/{APP}/processes/instances?status=running").json()
    assert [i["id"] for i in listed] == [body["id"]]
    seen = user_client.get(f"/api/apps/{APP}/processes/instances/{body['id']}")
    assert seen.status_code == 200  # the approver reads the instance they approve
    bad = user_client.post(
        f"/api/apps/{APP}/processes/tasks/{task['id']}/complete", json={"outcome": "perhaps"}
    )
    assert bad.status_code == 409 and "not an outcome" in bad.text
    done = user_client.post(
        f"/api/apps/{APP}/processes/tasks/{task['id']}/complete", json={"outcome": "approve"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    read = admin_client.get(f"/api/apps/{APP}/processes/instances/{body['id']}").json()
    assert [s["trace"] for s in read["trace"]] == [["s", "x", "boss"], ["ok"]]
    assert read["trace"][1]["event"]["outcome"] == "approve"


def test_only_the_assignee_or_a_designer_completes_a_task(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    publish(platform, [flow()])
    lead = create(platform, "lead", name="Ann", score=75)
    body = admin_client.post(
        f"/api/apps/{APP}/processes/review/instances", json={"record_id": lead["id"]}
    ).json()
    task_id = body["tasks"][0]["id"]
    refused = user_client.post(f"/api/apps/{APP}/processes/tasks/{task_id}/complete", json={})
    assert refused.status_code == 403
    missing = admin_client.post(f"/api/apps/{APP}/processes/tasks/999/complete", json={})
    assert missing.status_code == 404
    assert admin_client.get(f"/api/apps/{APP}/processes/instances/999").status_code == 404
