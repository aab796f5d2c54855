"""The rules API: documents through the metadata API (errors with pointers), the test run,
switching rules off, the run log per rule and per record, dead letters and replay."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from rules_testing import APP, create, publish, rule, update, worker

from jimu.platform.db import begin_write
from jimu.platform.models import RuleRun
from jimu.platform.state import Platform

DOC = f"/api/apps/{APP}/documents/rule"
SCORE = rule(
    "score",
    trigger={"on": "updated", "fields": ["status"]},
    condition={"and": [{"==": [{"var": "$old.status"}, "new"]}, {">": [{"var": "score"}, 5]}]},
    actions=[
        {"type": "add_score", "field": "score", "amount": 10},
        {"type": "create_record", "entity": "task", "link": "lead", "values": {"title": "go"}},
    ],
)


def test_rule_documents_are_checked_against_the_app_with_pointers(
    platform: Platform, admin_client: TestClient
) -> None:
    publish(platform)
    bad = rule(
        "bad",
        trigger={"on": "updated", "fields": ["nope"]},
        condition={">": [{"var": "name"}, {"var": "$old.nope"}]},
        actions=[{"type": "add_score", "field": "name", "amount": 1}],
    )
    assert admin_client.put(f"{DOC}/bad", json=bad).status_code == 200  # drafts: schema only
    answer = admin_client.post(f"/api/apps/{APP}/publish", json={"kind": "rule"})
    assert answer.status_code == 422
    pointers = {e["pointer"] for e in answer.json()["errors"]}
    assert {
        "rules/bad.json#/trigger/fields/0",
        "rules/bad.json#/condition/>/1",
        "rules/bad.json#/actions/0/field",
    } <= pointers
    wrong_shape = {**SCORE, "name": "shape", "trigger": {"on": "sometimes"}}
    answer = admin_client.put(f"{DOC}/shape", json=wrong_shape)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/trigger/on"


def test_publish_versions_test_run_and_enable(platform: Platform, admin_client: TestClient) -> None:
    publish(platform)
    assert admin_client.put(f"{DOC}/score", json=SCORE).status_code == 200
    assert admin_client.post(f"/api/apps/{APP}/publish", json={"kind": "rule"}).status_code == 200
    lead = create(platform, "lead", name="Ann", status="won", score=7)
    body: dict[str, Any] = {"record_id": lead["id"], "old": {"status": "new"}}
    answer = admin_client.post(f"/api/apps/{APP}/rules/score/test-run", json=body)
    assert answer.status_code == 200, answer.text
    tried = answer.json()
    assert tried["condition"]["holds"] is True
    assert [p["holds"] for p in tried["condition"]["parts"]] == [True, True]
    assert "Score" in tried["condition"]["words"]
    assert tried["actions"] == [
        {"op": "update", "entity": "lead", "record_id": lead["id"], "values": {"score": 17},
         "actions": [0]},
        {"op": "create", "entity": "task", "record_id": None,
         "values": {"title": "go", "lead": lead["id"]}, "actions": [1]},
    ]  # fmt: skip
    # nothing was written
    assert worker(platform).drain() == 1  # only the create's event; no rule matches it
    assert admin_client.get(f"/api/apps/{APP}/rules/score/runs").json() == []
    # an unsaved rule from the designer, in Chinese, whose condition fails
    unsaved = {**SCORE, "condition": {"<": [{"var": "score"}, 5]}}
    tried = admin_client.post(
        f"/api/apps/{APP}/rules/score/test-run",
        json={"record_id": lead["id"], "rule": unsaved, "lang": "zh"},
    ).json()
    assert tried["condition"]["holds"] is False and tried["actions"] == []
    # a bad unsaved rule is refused with its pointer
    broken = {**SCORE, "actions": [{"type": "set_fields", "values": {"nope": 1}}]}
    answer = admin_client.post(
        f"/api/apps/{APP}/rules/score/test-run", json={"record_id": lead["id"], "rule": broken}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/actions/0/values/nope"
    missing = admin_client.post(f"/api/apps/{APP}/rules/score/test-run", json={"record_id": 999999})
    assert missing.status_code == 404
    # a second version, then versions and enable/disable in the list
    v2 = {**SCORE, "label": {"en": "Score v2"}}
    admin_client.put(f"{DOC}/score", json=v2)
    admin_client.post(f"/api/apps/{APP}/publish", json={"kind": "rule"})
    versions = admin_client.get(f"{DOC}/score/versions").json()
    assert [v["version"] for v in versions][:2] in ([2, 1], [1, 2])
    off = admin_client.put(f"/api/apps/{APP}/rules/score/enabled", json={"enabled": False})
    assert off.json() == {"name": "score", "enabled": False}
    (listed,) = admin_client.get(f"/api/apps/{APP}/rules").json()
    assert (listed["enabled"], listed["published_version"]) == (False, 2)
    unknown = admin_client.put(f"/api/apps/{APP}/rules/nope/enabled", json={"enabled": True})
    assert unknown.status_code == 404
    assert (
        admin_client.put(f"/api/apps/{APP}/rules/score/enabled", json={"enabled": "no"})
    ).status_code == 422


def test_run_log_counters_dead_letters_and_replay(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    publish(platform, [SCORE])
    ok = create(platform, "lead", name="ok", status="new", score=6)
    update(platform, "lead", ok["id"], status="won")
    w = worker(platform, max_attempts=1)
    w.drain()
    log = admin_client.get(f"/api/apps/{APP}/rules/score/runs").json()
    assert [(r["status"], r["record_id"], r["trigger"]) for r in log] == [
        ("done", ok["id"], "updated")
    ]
    assert log[0]["duration_ms"] >= 0 and log[0]["actions"][0]["values"] == {"score": 16}
    timeline = admin_client.get(f"/api/apps/{APP}/records/lead/{ok['id']}/rule-runs").json()
    assert [r["id"] for r in timeline] == [log[0]["id"]]
    (listed,) = admin_client.get(f"/api/apps/{APP}/rules").json()
    assert listed["counters"]["runs"]["done"] == 1
    # a dead letter: the run is stored dead; an admin sees it and replays it
    with begin_write(platform.engine) as conn:
        conn.execute(RuleRun.__table__.update().values(status="dead", error="boom"))
    dead = admin_client.get(f"/api/apps/{APP}/rule-runs/dead").json()
    assert [d["error"] for d in dead] == ["boom"]
    assert user_client.get(f"/api/apps/{APP}/rule-runs/dead").status_code == 403
    replayed = admin_client.post(f"/api/apps/{APP}/rule-runs/{dead[0]['id']}/replay")
    assert replayed.status_code == 200 and replayed.json()["status"] == "retry"
    again = admin_client.post(f"/api/apps/{APP}/rule-runs/{dead[0]['id']}/replay")
    assert again.status_code == 409
    assert admin_client.post(f"/api/apps/{APP}/rule-runs/999/replay").status_code == 404
    bad = admin_client.get(f"/api/apps/{APP}/rules/score/runs", params={"status": "weird"})
    assert bad.status_code == 422
