"""Every approval action through the API, with who may take it: approve/reject with a comment
and @mentions, return (退回), transfer (转交), add a signer before/after/in parallel (加签),
withdraw (撤回), urge (催办, rate-limited) and comments; each recorded in the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import sign_in

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


class People:
    """A signed-in client per user of the test organisation."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.clients: dict[str, TestClient] = {}

    def __getattr__(self, name: str) -> TestClient:
        if name.startswith("_") or name in ("app", "clients"):
            raise AttributeError(name)
        if name not in self.clients:
            client = TestClient(self.app)
            client.__enter__()
            sign_in(client, name, PASSWORD)
            self.clients[name] = client
        return self.clients[name]

    def close(self) -> None:
        for client in self.clients.values():
            client.__exit__(None, None, None)


@pytest.fixture
def org(platform: Platform) -> Org:
    return make_org(platform)


@pytest.fixture
def people(app: FastAPI, org: Org) -> Iterator[People]:
    crowd = People(app)
    try:
        yield crowd
    finally:
        crowd.close()


def _approval(node_id: str, *entries: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"id": node_id, "type": "approval", "assignees": list(entries), **options}


def _started(client: TestClient, flow: str) -> dict[str, Any]:
    response = client.post(f"{BASE}/{flow}/instances", json={"record_id": _LEAD[0]})
    assert response.status_code == 201, response.text
    return dict(response.json())


_LEAD: list[int] = [0]


@pytest.fixture
def review(platform: Platform, org: Org) -> Org:
    """draft (the initiator fills) → manager approves → director approves → end."""
    nodes = [
        {"id": "draft", "type": "fill", "assignees": [{"kind": "initiator"}]},
        _approval("mgr", {"kind": "manager"}),
        _approval("dir", {"kind": "role", "role": "director"}),
    ]
    multi = _approval(
        "sign", {"kind": "user", "id": org.eve}, multi={"mode": "parallel", "count": 1}
    )
    publish_app(platform, [approval_flow("review", nodes), approval_flow("sign", [multi])])
    _LEAD[0] = create(platform, "lead", name="Big deal")["id"]
    return org


def _task(client: TestClient, instance: int, node: str) -> dict[str, Any]:
    body = client.get(f"{BASE}/instances/{instance}").json()
    return next(t for t in body["tasks"] if t["node"] == node)


def _timeline(client: TestClient, instance: int) -> list[str]:
    return [s["event"]["type"] for s in client.get(f"{BASE}/instances/{instance}").json()["trace"]]


def test_approve_and_reject_with_comments_and_mentions(
    platform: Platform, review: Org, people: People
) -> None:
    started = _started(people.ann, "review")
    instance = started["id"]
    [draft] = started["tasks"]
    assert draft["users"] == [review.ann]
    done = people.ann.post(f"{BASE}/tasks/{draft['id']}/complete", json={})
    assert done.status_code == 200, done.text
    mgr = _task(people.ann, instance, "mgr")
    assert mgr["users"] == [review.bob] and mgr["return_to"] == ["draft"]
    # Only the task's people (or a flow designer) act on it.
    refused = people.eve.post(f"{BASE}/tasks/{mgr['id']}/complete", json={"outcome": "approve"})
    assert refused.status_code == 403
    approved = people.bob.post(
        f"{BASE}/tasks/{mgr['id']}/complete",
        json={
            "outcome": "approve",
            "comment": "Fine by me, @gina please look",
            "mentions": [review.eve],
        },
    )
    assert approved.status_code == 200, approved.text
    assert sorted(approved.json()["mentions"]) == sorted([review.eve, review.gina])
    assert len(inbox(platform, review.gina)) == 1 and len(inbox(platform, review.eve)) == 1
    director = _task(people.ann, instance, "dir")
    unknown = people.carol.post(
        f"{BASE}/tasks/{director['id']}/complete",
        json={"outcome": "reject", "comment": "x", "mentions": [9999]},
    )
    assert unknown.status_code == 422 and "/mentions/0" in unknown.text
    assert _task(people.ann, instance, "dir")["id"] == director["id"]  # nothing half-written
    rejected = people.carol.post(
        f"{BASE}/tasks/{_task(people.ann, instance, 'dir')['id']}/complete",
        json={"outcome": "reject", "comment": "Too expensive"},
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "completed"
    read = people.ann.get(f"{BASE}/instances/{instance}").json()
    comments = [s["event"].get("comment") for s in read["trace"]]
    assert comments[2:] == ["Fine by me, @gina please look", "Too expensive"]
    assert [t["outcome"] for t in read["all_tasks"]] == ["done", "approve", "reject"]
    # Someone with no part in it does not read it.
    assert people.frank.get(f"{BASE}/instances/{instance}").status_code == 403


def test_return_to_an_earlier_node(review: Org, people: People) -> None:
    instance = _started(people.ann, "review")["id"]
    people.ann.post(f"{BASE}/tasks/{_task(people.ann, instance, 'draft')['id']}/complete", json={})
    mgr = _task(people.ann, instance, "mgr")
    people.bob.post(f"{BASE}/tasks/{mgr['id']}/complete", json={"outcome": "approve"})
    director = _task(people.ann, instance, "dir")
    assert director["return_to"] == ["draft", "mgr"]
    assert (
        people.ann.post(f"{BASE}/tasks/{director['id']}/return", json={"to": "mgr"}).status_code
        == 403
    )
    wrong = people.carol.post(f"{BASE}/tasks/{director['id']}/return", json={"to": "nowhere"})
    assert wrong.status_code == 409 and "not an earlier node" in wrong.text
    back = people.carol.post(
        f"{BASE}/tasks/{director['id']}/return", json={"to": "draft", "comment": "Add the quote"}
    )
    assert back.status_code == 200, back.text
    assert [t["node"] for t in back.json()["tasks"]] == ["draft"]
    assert back.json()["tasks"][0]["users"] == [review.ann]
    read = people.ann.get(f"{BASE}/instances/{instance}").json()
    assert [t["status"] for t in read["all_tasks"]] == ["done", "done", "cancelled", "open"]
    assert read["trace"][-1]["event"]["type"] == "return"
    assert read["trace"][-1]["trace"] == ["draft"]


def test_transfer_changes_hands_and_keeps_both_in_the_history(
    review: Org, people: People, admin_client: TestClient
) -> None:
    instance = _started(people.ann, "review")["id"]
    people.ann.post(f"{BASE}/tasks/{_task(people.ann, instance, 'draft')['id']}/complete", json={})
    mgr = _task(people.ann, instance, "mgr")
    missing = people.bob.post(f"{BASE}/tasks/{mgr['id']}/transfer", json={"user_id": 9999})
    assert missing.status_code == 422 and "/user_id" in missing.text
    moved = people.bob.post(
        f"{BASE}/tasks/{mgr['id']}/transfer", json={"user_id": review.gina, "comment": "On leave"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["tasks"][0]["users"] == [review.gina]
    origin = moved.json()["tasks"][0]["origin"]
    assert origin["transferred"] == [{"from": [review.bob], "to": review.gina, "by": review.bob}]
    # bob no longer has it; gina does; an administrator may move it too.
    assert people.bob.post(f"{BASE}/tasks/{mgr['id']}/complete", json={}).status_code == 403
    again = admin_client.post(f"{BASE}/tasks/{mgr['id']}/transfer", json={"user_id": review.dave})
    assert again.status_code == 200
    assert people.dave.post(f"{BASE}/tasks/{mgr['id']}/complete", json={}).status_code == 200
    assert "transfer" in _timeline(people.ann, instance)


def test_add_a_signer_before_after_and_in_parallel(review: Org, people: People) -> None:
    instance = _started(people.ann, "review")["id"]
    people.ann.post(f"{BASE}/tasks/{_task(people.ann, instance, 'draft')['id']}/complete", json={})
    mgr = _task(people.ann, instance, "mgr")
    # Before: eve signs first, then the task comes back to bob.
    before = people.bob.post(
        f"{BASE}/tasks/{mgr['id']}/add-signer", json={"mode": "before", "user_id": review.eve}
    )
    assert before.status_code == 200, before.text
    assert [t["users"] for t in before.json()["tasks"]] == [[review.eve]]
    added = before.json()["tasks"][0]
    assert people.eve.post(f"{BASE}/tasks/{added['id']}/complete", json={}).status_code == 200
    assert _task(people.ann, instance, "mgr")["id"] == mgr["id"]  # back to bob
    # After: bob approves, then frank, then the flow moves on to the director.
    after = people.bob.post(
        f"{BASE}/tasks/{mgr['id']}/add-signer", json={"mode": "after", "user_id": review.frank}
    )
    assert after.status_code == 200
    people.bob.post(f"{BASE}/tasks/{mgr['id']}/complete", json={})
    assert _task(people.ann, instance, "mgr")["users"] == [review.frank]
    frank = _task(people.ann, instance, "mgr")
    people.frank.post(f"{BASE}/tasks/{frank['id']}/complete", json={})
    assert _task(people.ann, instance, "dir")["users"] == [review.carol]
    # In parallel: only at a parallel multi-instance task.
    director = _task(people.ann, instance, "dir")
    no = people.carol.post(
        f"{BASE}/tasks/{director['id']}/add-signer",
        json={"mode": "parallel", "user_id": review.eve},
    )
    assert no.status_code == 409
    bad = people.carol.post(
        f"{BASE}/tasks/{director['id']}/add-signer", json={"mode": "sideways", "user_id": 1}
    )
    assert bad.status_code == 422
    signing = _started(people.ann, "sign")
    [sign] = signing["tasks"]
    more = people.eve.post(
        f"{BASE}/tasks/{sign['id']}/add-signer", json={"mode": "parallel", "user_id": review.gina}
    )
    assert more.status_code == 200, more.text
    assert sorted(t["users"][0] for t in more.json()["tasks"]) == [review.eve, review.gina]
    people.eve.post(f"{BASE}/tasks/{sign['id']}/complete", json={})
    assert people.ann.get(f"{BASE}/instances/{signing['id']}").json()["status"] == "running"
    gina = _task(people.ann, signing["id"], "sign")
    done = people.gina.post(f"{BASE}/tasks/{gina['id']}/complete", json={})
    assert done.json()["status"] == "completed"
    kinds = _timeline(people.ann, instance)
    assert kinds.count("add_signer") == 2


def test_withdraw_until_the_first_action(review: Org, people: People) -> None:
    first = _started(people.ann, "review")["id"]
    assert people.bob.post(f"{BASE}/instances/{first}/withdraw", json={}).status_code == 403
    gone = people.ann.post(f"{BASE}/instances/{first}/withdraw", json={"comment": "Wrong amount"})
    assert gone.status_code == 200, gone.text
    assert gone.json()["status"] == "cancelled" and gone.json()["tasks"] == []
    second = _started(people.ann, "review")["id"]
    people.ann.post(f"{BASE}/tasks/{_task(people.ann, second, 'draft')['id']}/complete", json={})
    late = people.ann.post(f"{BASE}/instances/{second}/withdraw", json={})
    assert late.status_code == 409 and "acted on it" in late.text
    # A signer added in parallel is an action too.
    signing = _started(people.ann, "sign")
    people.eve.post(
        f"{BASE}/tasks/{signing['tasks'][0]['id']}/add-signer",
        json={"mode": "parallel", "user_id": review.gina},
    )
    assert people.ann.post(f"{BASE}/instances/{signing['id']}/withdraw", json={}).status_code == 409


def test_urge_notifies_the_open_tasks_people_at_most_every_ten_minutes(
    platform: Platform, review: Org, people: People
) -> None:
    instance = _started(people.ann, "review")["id"]
    people.ann.post(f"{BASE}/tasks/{_task(people.ann, instance, 'draft')['id']}/complete", json={})
    assert people.eve.post(f"{BASE}/instances/{instance}/urge").status_code == 403
    urged = people.ann.post(f"{BASE}/instances/{instance}/urge")
    assert urged.status_code == 200 and urged.json()["urged"] == [review.bob]
    assert any("催办" in title for title in inbox(platform, review.bob))
    again = people.ann.post(f"{BASE}/instances/{instance}/urge")
    assert again.status_code == 429
    assert _timeline(people.ann, instance)[-1] == "urge"


def test_comments_with_mentions_on_the_timeline(
    platform: Platform, review: Org, people: People
) -> None:
    instance = _started(people.ann, "review")["id"]
    said = people.ann.post(
        f"{BASE}/instances/{instance}/comments", json={"text": "Ping @dave", "mentions": []}
    )
    assert said.status_code == 201, said.text
    assert said.json()["mentions"] == [review.dave]
    assert len(inbox(platform, review.dave)) == 1
    empty = people.ann.post(f"{BASE}/instances/{instance}/comments", json={"text": ""})
    assert empty.status_code == 422 and "/text" in empty.text
    stranger = people.frank.post(f"{BASE}/instances/{instance}/comments", json={"text": "hi"})
    assert stranger.status_code == 403
    last = people.ann.get(f"{BASE}/instances/{instance}").json()["trace"][-1]["event"]
    assert last == {
        "type": "comment",
        "by": review.ann,
        "text": "Ping @dave",
        "mentions": [review.dave],
    }
