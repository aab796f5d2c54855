"""``/api/apps/{app}/pool/{entity}/...``: the pool's overview, records, claim, return,
transfer and owners over HTTP, with the errors a client gets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import sign_in
from pool_testing import APP, PASSWORD, create, pool_lead, setup

from jimu.platform.models import User
from jimu.platform.state import Platform

BASE = f"/api/apps/{APP}/pool/lead"


@pytest.fixture
def users(platform: Platform) -> dict[str, User]:
    return setup(platform)


def client_of(app: FastAPI, name: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        sign_in(client, name, PASSWORD)
        yield client


@pytest.fixture
def ann(app: FastAPI, users: dict[str, User]) -> Iterator[TestClient]:
    yield from client_of(app, "ann")


@pytest.fixture
def mia(app: FastAPI, users: dict[str, User]) -> Iterator[TestClient]:
    yield from client_of(app, "mia")


def test_overview_records_claim_and_limits(
    ann: TestClient, platform: Platform, users: dict[str, User]
) -> None:
    leads = [pool_lead(platform, f"L{i}") for i in range(3)]
    overview = ann.get(BASE).json()
    assert overview["may_claim"] is True and overview["reason_required"] is True
    assert overview["limits"]["claims_left"] == 2
    assert [r["value"] for r in overview["reasons"]] == ["no_answer", "not_interested"]
    listed = ann.get(f"{BASE}/records").json()
    assert listed["total"] == 3
    answer = ann.post(f"{BASE}/claim", json={"record_ids": [leads[0]["id"], leads[1]["id"]]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["limits"]["claims_left"] == 0
    refused = ann.post(f"{BASE}/claim", json={"record_ids": [leads[2]["id"]]})
    assert refused.status_code == 409
    body = refused.json()
    assert body["limit"] == "claims_per_day" and body["claims_per_day"] == 2
    assert "claimed 2 of 2" in body["detail"] and body["resets_at"].endswith("Z")


def test_return_with_reason_shows_in_the_history(
    ann: TestClient, platform: Platform, users: dict[str, User]
) -> None:
    lead = create(platform, name="Mine", owner_id=users["ann"].id)
    missing = ann.post(f"{BASE}/return", json={"record_ids": [lead["id"]]})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["pointer"] == "/reason"
    done = ann.post(f"{BASE}/return", json={"record_ids": [lead["id"]], "reason": "no_answer"})
    assert done.status_code == 200 and done.json()["items"][0]["owner_id"] is None
    history = ann.get(f"/api/apps/{APP}/entities/lead/records/{lead['id']}/history")
    # The lead is in the pool now, out of ann's scope ("own"): her history read is refused.
    assert history.status_code == 404


def test_transfer_and_owners(mia: TestClient, platform: Platform, users: dict[str, User]) -> None:
    ann, bob = users["ann"], users["bob"]
    lead = create(platform, name="Handed", owner_id=ann.id)
    moved = mia.post(
        f"{BASE}/transfer", json={"record_ids": [lead["id"]], "to_user": bob.id, "note": "hi"}
    )
    assert moved.status_code == 200, moved.text
    owners = mia.get(f"{BASE}/{lead['id']}/owners").json()
    assert owners["previous_owners"] == [ann.id]
    assert owners["changes"][0]["kind"] == "transfer"
    first, second = owners["periods"]
    assert (first["user"], first["started"], first["ended"]) == (ann.id, None, "transfer")
    assert (second["user"], second["started"], second["until"]) == (bob.id, "transfer", None)
    history = mia.get(f"/api/apps/{APP}/entities/lead/records/{lead['id']}/history").json()
    (row,) = [h for h in history if h["field"] == "owner_id"]
    assert row["owner_change"] == {"kind": "transfer", "reason": None, "note": "hi"}


def test_bad_bodies_and_strangers(app: FastAPI, users: dict[str, User]) -> None:
    for client in client_of(app, "vic"):
        assert client.get(f"{BASE}/records").status_code == 403
        assert client.post(f"{BASE}/claim", json={"record_ids": []}).status_code == 422
        assert client.post(f"{BASE}/claim", json={"record_ids": ["1"]}).status_code == 422
        assert client.get(f"/api/apps/{APP}/pool/nothing").status_code == 404


def test_whole_numbers_written_with_a_fraction_are_ids(
    ann: TestClient, platform: Platform, users: dict[str, User]
) -> None:
    lead = pool_lead(platform, "Float")
    answer = ann.post(f"{BASE}/claim", json={"record_ids": [float(lead["id"])]})
    assert answer.status_code == 200, answer.text
    assert ann.post(f"{BASE}/claim", json={"record_ids": [1.5]}).status_code == 422
