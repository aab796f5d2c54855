"""Button triggers through the API: who sees which button (update right, condition), pressing
queues a durable event that the worker runs for the presser, the press status, refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from effects_testing import APP, CONVERT, ROLES, create, publish, rule
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import USER_PASSWORD, add_user, assert_problem, sign_in
from rules_testing import worker

from jimu.platform.db import begin_write
from jimu.platform.models import Notification, RecordHistory, RoleAssignment, User
from jimu.platform.rules import runs
from jimu.platform.state import Platform


@pytest.fixture
def people(platform: Platform) -> dict[str, User]:
    users = {name: add_user(platform, name, USER_PASSWORD) for name in ("alice", "bob")}
    with begin_write(platform.engine) as conn:
        conn.execute(
            sa.insert(RoleAssignment.__table__),
            [
                {"app": APP, "role": "rep", "user_id": users["alice"].id},
                {"app": APP, "role": "viewer", "user_id": users["bob"].id},
            ],
        )
    publish(platform, [*ROLES, CONVERT])
    return users


def client_of(app: FastAPI, name: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        sign_in(client, name, USER_PASSWORD)
        yield client


@pytest.fixture
def alice(app: FastAPI, people: dict[str, User]) -> Iterator[TestClient]:
    yield from client_of(app, "alice")


@pytest.fixture
def bob(app: FastAPI, people: dict[str, User]) -> Iterator[TestClient]:
    yield from client_of(app, "bob")


def test_buttons_show_on_records_the_user_may_update_greyed_when_the_condition_fails(
    platform: Platform, people: dict[str, User], alice: TestClient, bob: TestClient
) -> None:
    mine = create(platform, "lead", people["alice"].id, name="Mine", status="new")
    done = create(platform, "lead", people["alice"].id, name="Done", status="mql")
    theirs = create(platform, "lead", people["bob"].id, name="Theirs", status="new")
    ids = [mine["id"], done["id"], theirs["id"]]
    shown = alice.get(f"/api/apps/{APP}/buttons/lead", params={"ids": ids}).json()
    assert sorted(shown) == [str(mine["id"]), str(done["id"])]  # not on bob's: no update right
    (button,) = shown[str(mine["id"])]
    assert button["label"]["en"] == "Convert" and button["enabled"] is True
    assert button["confirm"]["zh"] == "确定转化？" and button["where"] == "both"
    (greyed,) = shown[str(done["id"])]
    assert greyed["enabled"] is False and "Status" in greyed["reason"]
    assert bob.get(f"/api/apps/{APP}/buttons/lead", params={"ids": ids}).json() == {}


def test_pressing_queues_a_durable_run_acting_for_the_presser(
    platform: Platform, people: dict[str, User], alice: TestClient
) -> None:
    first = create(platform, "lead", people["alice"].id, name="Ann", status="new")
    second = create(platform, "lead", people["alice"].id, name="Ben", status="mql")
    worker(platform).drain()  # the creations: no rule runs on them
    answer = alice.post(
        f"/api/apps/{APP}/rules/convert/press",
        json={"record_ids": [first["id"], second["id"]]},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [q["record_id"] for q in body["queued"]] == [first["id"]]
    assert body["skipped"][0]["record_id"] == second["id"]
    assert body["skipped"][0]["reason"].startswith("Only when:")
    event = body["queued"][0]["event_id"]
    status = alice.get(f"/api/apps/{APP}/presses", params={"ids": [event]}).json()
    assert status == {"presses": [{"event_id": event, "status": "queued", "error": None}]}
    worker(platform).drain()
    status = alice.get(f"/api/apps/{APP}/presses", params={"ids": [event]}).json()
    assert status["presses"][0]["status"] == "done"
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="convert")
        assert (run["trigger"], run["status"], run["record_id"]) == ("button", "done", first["id"])
        assert run["actor_id"] == people["alice"].id
        history = RecordHistory.__table__
        actors = conn.execute(
            sa.select(history.c.actor_id, history.c.source).where(
                history.c.record_id == first["id"], history.c.field == "status"
            )
        ).all()
        assert actors == [(people["alice"].id, "rule")]
        inbox = conn.execute(sa.select(Notification.__table__.c.title)).scalars().all()
        assert inbox == ["Ann converted"]
    # Pressed again, the condition no longer holds.
    again = alice.post(f"/api/apps/{APP}/rules/convert/press", json={"record_ids": [first["id"]]})
    assert again.json()["queued"] == []


def test_presses_are_refused_clearly(
    platform: Platform, people: dict[str, User], alice: TestClient, bob: TestClient
) -> None:
    lead = create(platform, "lead", people["alice"].id, name="Cy", status="new")
    other = create(platform, "lead", people["bob"].id, name="Di", status="new")
    url = f"/api/apps/{APP}/rules/convert/press"
    assert_problem(bob.post(url, json={"record_ids": [lead["id"]]}), 403, "permission_denied")
    assert_problem(alice.post(url, json={"record_ids": [other["id"]]}), 403, "permission_denied")
    assert_problem(alice.post(url, json={"record_ids": [999999]}), 404, "not_found")
    missing = alice.post(f"/api/apps/{APP}/rules/nope/press", json={"record_ids": [lead["id"]]})
    assert_problem(missing, 404, "not_found")
    empty = alice.post(url, json={"record_ids": []})
    assert empty.status_code == 422 and "/record_ids" in empty.text
    with begin_write(platform.engine) as conn:
        runs.set_enabled(conn, APP, "convert", False, None)
    assert_problem(alice.post(url, json={"record_ids": [lead["id"]]}), 409, "conflict")
    # Nothing was queued by any refusal.
    with platform.engine.connect() as conn:
        pressed = conn.execute(sa.text("select count(*) from jimu_outbox where kind = 'button'"))
        assert pressed.scalar() == 0


def test_button_settings_are_checked_at_publish(platform: Platform) -> None:
    from jimu.errors import ValidationFailed

    no_label = rule("b", [{"type": "set_fields", "values": {"status": "mql"}}],
                    trigger={"on": "button"})  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        publish(platform, [no_label])
    assert any(e.pointer.endswith("/trigger/label") for e in refused.value.errors)
    stray = rule("c", [{"type": "set_fields", "values": {"status": "mql"}}],
                 trigger={"on": "created", "where": "list"})  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        publish(platform, [stray])
    assert any(e.pointer.endswith("/trigger/where") for e in refused.value.errors)
