"""Inbound webhooks: ``POST /api/hooks/{app}/{rule}`` signed with the rule's secret queues one
event; the worker runs the webhook rule with the body as ``$payload`` (upsert by key, creates,
conditions), and every refusal is a clear problem (401/404/413/422)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rules_testing import APP, publish, records, rule, worker

from jimu.platform.db import begin_write
from jimu.platform.models import Outbox
from jimu.platform.notify.signing import webhook_signature
from jimu.platform.rules.inbound import MAX_BODY_BYTES
from jimu.platform.state import Platform

DOC = f"/api/apps/{APP}/documents/rule"
UPSERT = rule(
    "inbound",
    trigger={"on": "webhook", "match": {"name": "$payload.name"}},
    condition={"!=": [{"var": "$payload.utm_source"}, "spam"]},
    actions=[
        {
            "type": "set_fields",
            "values": {"status": "new"},
            "formulas": {"name": "$payload.name", "score": "$payload.points * 2"},
        },
        {"type": "create_record", "entity": "task",
         "formulas": {"title": "\"Follow up \" & $payload.name & \" from \" & "
                               "$payload.utm_source"}},
    ],
)  # fmt: skip


def signed(secret: str, body: bytes, stamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if stamp is None else stamp
    return {
        "Content-Type": "application/json",
        "X-Jimu-Timestamp": str(stamp),
        "X-Jimu-Signature": webhook_signature(secret, stamp, body),
    }


def setup_hook(platform: Platform, client: TestClient, doc: dict[str, Any] = UPSERT) -> str:
    publish(platform)
    assert client.put(f"{DOC}/{doc['name']}", json=doc).status_code == 200
    answer = client.post(f"/api/apps/{APP}/publish", json={"kind": "rule"})
    assert answer.status_code == 200, answer.text
    made = client.post(f"/api/apps/{APP}/rules/{doc['name']}/webhook/secret")
    assert made.status_code == 200, made.text
    assert made.json()["url"].endswith(f"/api/hooks/{APP}/{doc['name']}")
    assert "X-Jimu-Signature" in made.json()["curl"]
    return str(made.json()["secret"])


def post(client: TestClient, secret: str, payload: Any, name: str = "inbound") -> Any:
    body = json.dumps(payload).encode()
    return client.post(f"/api/hooks/{APP}/{name}", content=body, headers=signed(secret, body))


def leads(platform: Platform) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return records(platform).list(conn, "lead").items


def tasks(platform: Platform) -> list[str]:
    with platform.engine.connect() as conn:
        return [t["title"] for t in records(platform).list(conn, "task").items]


def test_a_signed_request_upserts_by_key_with_payload_in_condition_and_formulas(
    platform: Platform, admin_client: TestClient
) -> None:
    secret = setup_hook(platform, admin_client)
    answer = post(admin_client, secret, {"name": "Ann", "points": 5, "utm_source": "google"})
    assert answer.status_code == 202, answer.text
    event_id = answer.json()["event_id"]
    with platform.engine.connect() as conn:
        stored = conn.execute(
            Outbox.__table__.select().where(Outbox.__table__.c.id == event_id)  # type: ignore[attr-defined]
        ).one()
    assert stored.kind == "webhook" and stored.payload["utm_source"] == "google"
    worker(platform).drain()
    [ann] = leads(platform)
    assert (ann["name"], ann["score"], ann["status"]) == ("Ann", 10, "new")
    assert tasks(platform) == ["Follow up Ann from google"]
    # the same key again updates the record found by it; another key creates one
    assert (
        post(admin_client, secret, {"name": "Ann", "points": 7, "utm_source": "x"}).status_code
        == 202
    )
    assert (
        post(admin_client, secret, {"name": "Bob", "points": 1, "utm_source": "x"}).status_code
        == 202
    )
    worker(platform).drain()
    found = {lead["name"]: lead["score"] for lead in leads(platform)}
    assert found == {"Ann": 14, "Bob": 2}
    # the condition reads $payload: a spam source is skipped, nothing written
    assert (
        post(admin_client, secret, {"name": "Cy", "points": 1, "utm_source": "spam"}).status_code
        == 202
    )
    worker(platform).drain()
    assert "Cy" not in {lead["name"] for lead in leads(platform)}
    runs = admin_client.get(f"/api/apps/{APP}/rules/inbound/runs").json()
    assert sorted(r["status"] for r in runs) == ["done", "done", "done", "skipped"]
    done = [r for r in runs if r["status"] == "done"]
    assert {r["trigger"] for r in runs} == {"webhook"}
    ids = {lead["name"]: lead["id"] for lead in leads(platform)}
    assert sorted(r["record_id"] for r in done) == sorted([ids["Ann"], ids["Ann"], ids["Bob"]])


def test_refusals_are_clear_problems(platform: Platform, admin_client: TestClient) -> None:
    secret = setup_hook(platform, admin_client)
    url = f"/api/hooks/{APP}/inbound"
    body = b'{"name": "Ann"}'

    def refused(headers: dict[str, str], content: bytes = body) -> tuple[int, str]:
        answer = admin_client.post(url, content=content, headers=headers)
        assert answer.headers["content-type"].startswith("application/problem+json")
        return answer.status_code, answer.json()["code"]

    assert refused({}) == (401, "missing_timestamp")
    assert refused(signed("wrong secret", body)) == (401, "bad_signature")
    assert refused({**signed(secret, body), "X-Jimu-Timestamp": "soon"}) == (401, "bad_timestamp")
    stale = int(time.time()) - 301
    assert refused(signed(secret, body, stale)) == (401, "stale_timestamp")
    tampered = signed(secret, body)
    assert refused(tampered, b'{"name": "Eve"}') == (401, "bad_signature")
    # a replay of an accepted request
    once = signed(secret, body)
    assert admin_client.post(url, content=body, headers=once).status_code == 202
    assert refused(once) == (401, "replayed")
    # too large (declared or not), not JSON
    big = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    assert refused(signed(secret, big), big) == (413, "body_too_large")
    assert refused(signed(secret, b"not json"), b"not json") == (422, "bad_body")
    # nothing of the refused requests was queued
    with platform.engine.connect() as conn:
        table = Outbox.__table__
        kinds = conn.execute(table.select().where(table.c.kind == "webhook")).all()  # type: ignore[attr-defined]
    assert len(kinds) == 1


def test_disabled_unpublished_and_unknown_rules_answer_404_and_rotation(
    platform: Platform, admin_client: TestClient
) -> None:
    secret = setup_hook(platform, admin_client)
    off = admin_client.put(f"/api/apps/{APP}/rules/inbound/enabled", json={"enabled": False})
    assert off.status_code == 200, off.text
    assert post(admin_client, secret, {"name": "Ann"}).status_code == 404
    admin_client.put(f"/api/apps/{APP}/rules/inbound/enabled", json={"enabled": True})
    assert post(admin_client, secret, {"name": "Ann"}).status_code == 202
    assert post(admin_client, secret, {"name": "Ann"}, name="nope").status_code == 404
    # a record-triggered rule has no hook
    other = rule("plain", trigger={"on": "created"},
                 actions=[{"type": "set_fields", "values": {"status": "new"}}])  # fmt: skip
    admin_client.put(f"{DOC}/plain", json=other)
    admin_client.post(f"/api/apps/{APP}/publish", json={"kind": "rule"})
    assert post(admin_client, secret, {}, name="plain").status_code == 404
    assert admin_client.post(f"/api/apps/{APP}/rules/plain/webhook/secret").status_code == 404
    # rotating: the old secret stops working, the new one works; the state never shows it
    state = admin_client.get(f"/api/apps/{APP}/rules/inbound/webhook").json()
    assert state["has_secret"] is True and "secret" not in state
    new = admin_client.post(f"/api/apps/{APP}/rules/inbound/webhook/secret").json()["secret"]
    assert new != secret
    assert post(admin_client, secret, {"name": "Bo"}).status_code == 401
    assert post(admin_client, new, {"name": "Bo"}).status_code == 202


def test_a_webhook_rule_without_a_secret_refuses(
    platform: Platform, admin_client: TestClient
) -> None:
    publish(platform, [UPSERT])
    state = admin_client.get(f"/api/apps/{APP}/rules/inbound/webhook").json()
    assert state["has_secret"] is False
    answer = post(admin_client, "anything", {"name": "Ann"})
    assert (answer.status_code, answer.json()["code"]) == (401, "no_secret")


@pytest.mark.parametrize(
    ("trigger", "actions", "pointer"),
    [
        ({"on": "webhook"}, [{"type": "add_score", "field": "score", "amount": 1}],
         "/actions/0/type"),
        ({"on": "webhook"}, [{"type": "create_record", "entity": "task", "link": "lead",
                              "values": {"title": "x"}}], "/actions/0/link"),
        ({"on": "webhook", "match": {"nope": "$payload.x"}},
         [{"type": "set_fields", "values": {"status": "new"}}], "/trigger/match/nope"),
        ({"on": "webhook", "match": {"name": "$payload.x +"}},
         [{"type": "set_fields", "values": {"status": "new"}}], "/trigger/match/name"),
        ({"on": "webhook"}, [{"type": "set_fields", "formulas": {"name": "$pay.x"}}],
         "/actions/0/formulas/name"),
        ({"on": "webhook"}, [{"type": "set_fields", "values": {"status": "new"}},
                             {"type": "set_fields", "values": {"score": 1}}], "/actions/1/type"),
    ],
)  # fmt: skip
def test_publish_checks_webhook_rules_with_pointers(
    platform: Platform,
    admin_client: TestClient,
    trigger: dict[str, Any],
    actions: list[Any],
    pointer: str,
) -> None:
    publish(platform)
    doc = rule("bad", trigger=trigger, actions=actions)
    assert admin_client.put(f"{DOC}/bad", json=doc).status_code == 200
    answer = admin_client.post(f"/api/apps/{APP}/publish", json={"kind": "rule"})
    assert answer.status_code == 422
    assert f"rules/bad.json#{pointer}" in {e["pointer"] for e in answer.json()["errors"]}


def test_create_record_from_payload_without_a_key(
    platform: Platform, admin_client: TestClient
) -> None:
    doc = rule("signup", trigger={"on": "webhook"},
               actions=[{"type": "create_record", "entity": "account",
                         "formulas": {"name": "UPPER($payload.company)"},
                         "values": {"hot": True}}])  # fmt: skip
    secret = setup_hook(platform, admin_client, doc)
    assert post(admin_client, secret, {"company": "acme"}, name="signup").status_code == 202
    worker(platform).drain()
    with begin_write(platform.engine) as conn:
        items = records(platform).list(conn, "account").items
    assert [(a["name"], a["hot"]) for a in items] == [("ACME", True)]


def test_a_real_http_request_over_a_live_server(platform: Platform, app: Any) -> None:
    import httpx
    from live_server import serve

    from jimu.platform.rules.inbound import rotate

    publish(platform, [UPSERT])
    with begin_write(platform.engine) as conn:
        secret = rotate(platform, conn, APP, "inbound", None)
    body = json.dumps({"name": "Dee", "points": 3, "utm_source": "ads"}).encode()
    headers = signed(secret, body)
    with serve(app) as base:
        url = f"{base}/api/hooks/{APP}/inbound"
        answer = httpx.post(url, content=body, headers=headers, timeout=10)
        assert answer.status_code == 202, answer.text
        assert isinstance(answer.json()["event_id"], int)
        replayed = httpx.post(url, content=body, headers=headers, timeout=10)
        assert (replayed.status_code, replayed.json()["code"]) == (401, "replayed")
        big = b"[" + b"1," * MAX_BODY_BYTES + b"1]"
        too_big = httpx.post(url, content=big, headers=signed(secret, big), timeout=10)
        assert too_big.status_code == 413
    worker(platform).drain()
    assert [(lead["name"], lead["score"]) for lead in leads(platform)] == [("Dee", 6)]
