"""Per-node field permissions enforced by the server: the task API and the approval page show
the record without the fields hidden at the node (or by the approver's roles), write the edits
the node allows in the decision's transaction (the approver in the record's history, the
record's own validation), refuse the others naming the field with nothing written, and ask for
the required ones before an approval. Also the publish checks, and "Done by me" holding every
task I acted on. SQLite, and PostgreSQL with JIMU_TEST_POSTGRES_URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jimu.errors import ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.models import RoleAssignment
from jimu.platform.process import instances
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import Org, approval_flow, make_org, publish_app
from tests.platform.process.test_task_pages import People
from tests.platform.rules.rules_testing import APP, create, get, records, update

BASE = f"/api/apps/{APP}/processes"
HTML = {"Accept": "text/html"}
#: At the manager's step: the status must be set, the score may change, the tags are hidden,
#: the name may change (bob's role leaves it read-only: the node grants the edit), the account
#: is editable at the node but bob's role hides it (it stays hidden).
PERMISSIONS = {
    "status": "required",
    "score": "editable",
    "tags": "hidden",
    "name": "editable",
    "account": "editable",
}


def _roles() -> list[dict[str, Any]]:
    rep = {"actions": ["create", "read", "update", "delete"], "scope": "all"}
    manager = {"actions": ["read"], "scope": "all", "fields": {"name": "read_only",
                                                               "account": "hidden"}}  # fmt: skip
    return [
        {"kind": "role", "name": "rep", "label": {"en": "Rep"}, "entities": {"lead": rep}},
        {"kind": "role", "name": "manager", "label": {"en": "Manager"},
         "entities": {"lead": manager}},
    ]  # fmt: skip


@pytest.fixture
def org(platform: Platform) -> Org:
    org = make_org(platform)
    nodes: list[dict[str, Any]] = [
        {"id": "mgr", "type": "approval", "label": {"en": "Manager check", "zh": "经理审批"},
         "assignees": [{"kind": "manager"}], "field_permissions": PERMISSIONS},
    ]  # fmt: skip
    blind = [{"id": "eve", "type": "approval", "assignees": [{"kind": "user", "id": org.eve}],
              "field_permissions": {"status": "required"}}]  # fmt: skip
    publish_app(platform, [*_roles(), approval_flow("terms", nodes), approval_flow("blind", blind)])
    with begin_write(platform.engine) as conn:
        for name, role in (("ann", "rep"), ("bob", "manager")):
            conn.execute(
                sa.insert(RoleAssignment.__table__).values(
                    app=APP, created_at=datetime.now(), user_id=org.ids[name], role=role
                )
            )
    return org


@pytest.fixture
def people(app: FastAPI, org: Org) -> Iterator[People]:
    crowd = People(app)
    try:
        yield crowd
    finally:
        crowd.close()


def _started(platform: Platform, people: People) -> tuple[int, int, int]:
    """ann starts the flow on a lead; the lead, the instance and bob's task."""
    account = create(platform, "account", name="ACME")["id"]
    lead = create(platform, "lead", name="Big deal", tags=["hot"], score=5, account=account)["id"]
    started = people.ann.post(f"{BASE}/terms/instances", json={"record_id": lead})
    assert started.status_code == 201, started.text
    body = started.json()
    return lead, int(body["id"]), int(body["tasks"][0]["id"])


def _task_open(platform: Platform, task: int) -> bool:
    with platform.engine.connect() as conn:
        status = conn.execute(
            sa.select(instances.TASKS.c.status).where(instances.TASKS.c.id == task)
        ).scalar_one()
    return bool(status == "open")


def test_the_task_api_shows_the_record_as_the_node_and_the_role_allow(
    platform: Platform, people: People
) -> None:
    lead, _, task = _started(platform, people)
    read = people.bob.get(f"{BASE}/tasks/{task}")
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["fields"] == {
        "name": "editable",
        "status": "required",
        "score": "editable",
        "reviewer": "read_only",  # the default
        "team": "read_only",
    }
    assert body["record"]["id"] == lead and body["record"]["name"] == "Big deal"
    assert "tags" not in body["record"] and "account" not in body["record"]
    assert "hot" not in read.text  # the hidden value is nowhere in the answer
    # Someone with nothing to do with the task may not read it.
    assert people.eve.get(f"{BASE}/tasks/{task}").status_code == 403


def test_approving_with_edits_writes_the_record_in_the_same_step(
    platform: Platform, people: People
) -> None:
    lead, instance, task = _started(platform, people)
    done = people.bob.post(
        f"{BASE}/tasks/{task}/complete",
        json={"outcome": "approve", "record": {"status": "mql", "score": 42, "name": "Bigger"}},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    record = get(platform, "lead", lead)
    assert (record["status"], record["score"], record["name"]) == ("mql", 42, "Bigger")
    assert record["tags"] == ["hot"]
    with platform.engine.connect() as conn:
        history = records(platform).history(conn, "lead", lead)
        trace = instances.instance_trace(conn, instance)
    changed = {h["field"]: h for h in history if h.get("field") in ("status", "score", "name")}
    assert set(changed) == {"status", "score", "name"}
    assert {h["actor_id"] for h in changed.values()} == {people_id(platform, "bob")}
    assert {h["source"] for h in changed.values()} == {"process"}
    decided = next(s for s in trace if s["event"]["type"] == "task_done")
    assert sorted(decided["event"]["edited"]) == ["name", "score", "status"]


def people_id(platform: Platform, name: str) -> int:
    from jimu.platform.models import User

    with platform.engine.connect() as conn:
        table: sa.Table = User.__table__  # type: ignore[assignment]
        return int(conn.execute(sa.select(table.c.id).where(table.c.username == name)).scalar_one())


@pytest.mark.parametrize(
    ("changes", "pointer", "code"),
    [
        ({"status": "mql", "tags": ["cold"]}, "/record/tags", "unknown_field"),  # node hides
        ({"status": "mql", "account": None}, "/record/account", "unknown_field"),  # role hides
        ({"status": "mql", "owner_id": 1}, "/record/owner_id", "unknown_field"),
        ({"score": 7}, "/record/status", "required"),  # approving without the required field
        ({"status": "mql", "score": "many"}, "/record/score", None),  # the record's validation
        ({"status": "lost"}, "/record/status", None),
    ],
)
def test_refused_edits_name_the_field_and_write_nothing(
    platform: Platform,
    people: People,
    changes: dict[str, Any],
    pointer: str,
    code: str | None,
) -> None:
    lead, _, task = _started(platform, people)
    before = get(platform, "lead", lead)
    refused = people.bob.post(
        f"{BASE}/tasks/{task}/complete", json={"outcome": "approve", "record": changes}
    )
    assert refused.status_code == 422, refused.text
    errors = refused.json()["errors"]
    assert pointer in [e["pointer"] for e in errors], errors
    if code is not None:
        assert code in [e["code"] for e in errors if e["pointer"] == pointer]
    assert "hot" not in refused.text
    assert get(platform, "lead", lead) == before
    assert _task_open(platform, task)


def test_a_read_only_field_at_the_node_is_refused(platform: Platform, app: FastAPI) -> None:
    org = make_org(platform)
    nodes = [{"id": "mgr", "type": "approval", "assignees": [{"kind": "manager"}],
              "field_permissions": {"score": "editable"}}]  # fmt: skip
    publish_app(platform, [approval_flow("plain", nodes)])
    crowd = People(app)
    try:
        lead = create(platform, "lead", name="Small deal")["id"]
        started = crowd.ann.post(f"{BASE}/plain/instances", json={"record_id": lead})
        task = int(started.json()["tasks"][0]["id"])
        refused = crowd.bob.post(
            f"{BASE}/tasks/{task}/complete", json={"record": {"name": "x", "score": 3}}
        )
        assert refused.status_code == 422
        assert [(e["pointer"], e["code"]) for e in refused.json()["errors"]] == [
            ("/record/name", "read_only")
        ]
        assert get(platform, "lead", lead)["score"] is None and _task_open(platform, task)
        # Rejecting needs no required field; edits go with any outcome.
        assert crowd.bob.post(f"{BASE}/tasks/{task}/complete", json={"outcome": "reject",
                              "record": {"score": 3}}).status_code == 200  # fmt: skip
        assert get(platform, "lead", lead)["score"] == 3
        assert org.bob
    finally:
        crowd.close()


def test_rejecting_does_not_need_the_required_fields(platform: Platform, people: People) -> None:
    lead, _, task = _started(platform, people)
    done = people.bob.post(f"{BASE}/tasks/{task}/complete", json={"outcome": "reject"})
    assert done.status_code == 200, done.text
    assert get(platform, "lead", lead)["status"] is None


def _post(client: TestClient, url: str, data: dict[str, Any] | None = None) -> Any:
    form = {"csrf_token": client.headers["X-CSRF-Token"], **(data or {})}
    return client.post(url, data=form, headers=HTML)


def test_the_approval_page_shows_and_writes_by_the_node(platform: Platform, people: People) -> None:
    lead, instance, task = _started(platform, people)
    page = people.bob.get(f"/tasks/{task}", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert 'data-field="tags"' not in text and 'data-field="account"' not in text
    assert "ACME" not in text  # the account bob's role hides is not even a link title
    assert re.search(r'<select id="f-status" name="status"', text)
    assert 'name="score"' in text and 'name="name"' in text
    assert 'name="record_version"' in text
    # The initiator sees the task's page too, read-only, with the node's hidden fields left out.
    ann = people.ann.get(f"/tasks/{task}", headers=HTML).text
    assert 'data-field="tags"' not in ann and 'name="score"' not in ann
    # Approving without the required status: the page again, the error on the field.
    refused = _post(people.bob, f"/tasks/{task}/complete", {"outcome": "approve", "score": "9"})
    assert refused.status_code == 422
    assert re.search(r'data-field="status"[^>]*>.*?class="field-error"', refused.text, re.S)
    assert 'value="9"' in refused.text  # what bob typed is kept
    assert get(platform, "lead", lead)["score"] == 5 and _task_open(platform, task)
    done = _post(
        people.bob,
        f"/tasks/{task}/complete",
        {"outcome": "approve", "status": "mql", "score": "9", "name": "Big deal"},
    )
    assert done.status_code == 303, done.text
    record = get(platform, "lead", lead)
    assert (record["status"], record["score"], record["tags"]) == ("mql", 9, ["hot"])
    after = people.bob.get(f"/tasks/{task}", headers=HTML).text
    assert "data-edited" in after and "Score" in after
    with platform.engine.connect() as conn:
        decided = next(
            s for s in instances.instance_trace(conn, instance) if s["event"]["type"] == "task_done"
        )
    assert sorted(decided["event"]["edited"]) == ["score", "status"]  # the name did not change


def test_publishing_checks_the_named_fields(platform: Platform) -> None:
    make_org(platform)
    nodes = [
        {"id": "a", "type": "approval", "field_permissions": {"ghost": "hidden"}},
        {"id": "b", "type": "fill", "field_permissions": {"name": "required"}},
    ]
    with pytest.raises(ValidationFailed) as refused:
        publish_app(platform, [approval_flow("bad", nodes)])
    found = {e.pointer.split("#")[-1]: e.message for e in refused.value.errors}
    assert found == {"/nodes/1/field_permissions/ghost": "there is no field 'ghost' on lead"}


def test_done_by_me_holds_every_task_i_acted_on(platform: Platform, people: People) -> None:
    _, _, returned = _started(platform, people)
    _, _, moved = _started(platform, people)
    transfer = people.bob.post(
        f"{BASE}/tasks/{moved}/transfer", json={"user_id": people_id(platform, "carol")}
    )
    assert transfer.status_code == 200, transfer.text
    # A one-step flow has nowhere to return to: bob adds a signer before instead.
    signer = people.bob.post(
        f"{BASE}/tasks/{returned}/add-signer",
        json={"mode": "before", "user_id": people_id(platform, "dave")},
    )
    assert signer.status_code == 200, signer.text
    done = people.bob.get("/tasks?tab=done", headers=HTML).text
    assert sorted(re.findall(r'data-row="(\d+)"', done)) == sorted([str(moved), str(returned)])
    assert 'data-acted="transfer"' in done and 'data-acted="add_signer"' in done
    assert "Transferred" in done
    assert people.bob.get("/api/tasks/counts").json()["done"] == 2
    # carol's transferred task is her to-do, not her done.
    assert people.carol.get("/api/tasks/counts").json()["done"] == 0
    zh = people.bob.get("/tasks?tab=done&lang=zh", headers=HTML).text
    assert "已转交" in zh and "已加签" in zh


def test_a_stale_version_is_a_conflict_without_the_hidden_fields(
    platform: Platform, people: People
) -> None:
    lead, _, task = _started(platform, people)
    version = people.bob.get(f"{BASE}/tasks/{task}").json()["record"]["version"]
    update(platform, "lead", lead, score=6)  # someone else changes the lead meanwhile
    stale = people.bob.post(
        f"{BASE}/tasks/{task}/complete",
        json={"record": {"status": "mql", "score": 9}, "record_version": version},
    )
    assert stale.status_code == 409, stale.text
    current = stale.json()["current"]
    assert current["score"] == 6 and "tags" not in current and "account" not in current
    assert get(platform, "lead", lead)["status"] is None and _task_open(platform, task)


def test_an_approver_who_may_not_read_the_record_decides_without_changes(
    platform: Platform, people: People
) -> None:
    """eve holds no role that reads leads: she may still decide, once the required status
    has a value, but never change the record."""
    lead = create(platform, "lead", name="Unseen", tags=["hot"])["id"]
    started = people.ann.post(f"{BASE}/blind/instances", json={"record_id": lead})
    task = int(started.json()["tasks"][0]["id"])
    page = people.eve.get(f"/tasks/{task}", headers=HTML).text
    assert 'id="record-hidden"' in page and "Unseen" not in page
    refused = people.eve.post(f"{BASE}/tasks/{task}/complete", json={})
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/record/status"]
    changing = people.eve.post(f"{BASE}/tasks/{task}/complete", json={"record": {"status": "mql"}})
    assert changing.status_code == 403 and _task_open(platform, task)  # she may not read leads
    update(platform, "lead", lead, status="mql")
    assert people.eve.post(f"{BASE}/tasks/{task}/complete", json={}).status_code == 200
