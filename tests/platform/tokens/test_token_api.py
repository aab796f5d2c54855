"""API tokens through the HTTP API: scopes (read/write, apps), validation, who may create them,
``last_used_at``, revocation and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import assert_problem
from tokens_testing import audit_events, bearer_client, make_token, publish_notes

from jimu.platform.auth.sessions import as_utc
from jimu.platform.models import ApiToken, User
from jimu.platform.state import Platform

LEADS = "/api/apps/crm/entities/lead"
NOTES = "/api/apps/notes/entities/note"


@pytest.fixture
def two_apps(platform: Platform, crm: str, tmp_path: Path) -> tuple[str, str]:
    return crm, publish_notes(platform, tmp_path / "more")


def last_used(platform: Platform, token_id: int) -> datetime | None:
    with platform.sessions() as db:
        row = db.get(ApiToken, token_id)
        assert row is not None
        return as_utc(row.last_used_at) if row.last_used_at else None


def set_last_used(platform: Platform, token_id: int, moment: datetime) -> None:
    with platform.engine.begin() as conn:
        table = ApiToken.__table__
        conn.execute(sa.update(table).where(table.c.id == token_id).values(last_used_at=moment))
    # The token cache remembers when this process last noted a use (only note_use writes the
    # column); moving it back by hand stands for time passing, so the cache forgets it.
    platform.tokens.clear()


def test_created_token_reports_its_scope_and_is_listed(
    admin_client: TestClient, two_apps: tuple[str, str]
) -> None:
    _, created = make_token(admin_client, access="read", apps=["notes", "crm", "notes"])
    assert created["access"] == "read"
    assert created["apps"] == ["notes", "crm"]
    assert created["last_used_at"] is None
    _, default = make_token(admin_client, name="everything")
    assert default["access"] == "write" and default["apps"] is None
    listed = admin_client.get("/api/auth/tokens").json()
    assert [(t["name"], t["access"], t["apps"]) for t in listed] == [
        ("script", "read", ["notes", "crm"]),
        ("everything", "write", None),
    ]
    assert all("token" not in t for t in listed)


def test_bad_scopes_are_refused_naming_each_field(
    admin_client: TestClient, two_apps: tuple[str, str]
) -> None:
    body = {"name": " ", "apps": ["crm", "nope", "drafts"], "expires_at": "2001-01-01T00:00:00Z"}
    problem = assert_problem(
        admin_client.post("/api/auth/tokens", json=body), 422, "validation_failed"
    )
    pointers = {e["pointer"]: e["message"] for e in problem["errors"]}
    assert set(pointers) == {"/name", "/expires_at", "/apps/1", "/apps/2"}
    assert "'nope'" in pointers["/apps/1"]
    empty = admin_client.post("/api/auth/tokens", json={"name": "x", "apps": []})
    assert [e["pointer"] for e in assert_problem(empty, 422, "validation_failed")["errors"]] == [
        "/apps"
    ]
    access = admin_client.post("/api/auth/tokens", json={"name": "x", "access": "admin"})
    errors = assert_problem(access, 422, "validation_failed")["errors"]
    assert [e["pointer"] for e in errors] == ["/access"]
    assert admin_client.get("/api/auth/tokens").json() == []


def test_read_only_token_may_read_but_not_write(
    app: FastAPI, admin_client: TestClient, crm: str
) -> None:
    lead = admin_client.post(f"{LEADS}/records", json={"name": "Wang"}).json()
    token, _ = make_token(admin_client, access="read")
    reader = bearer_client(app, token)
    assert reader.get(f"{LEADS}/records").json()["items"][0]["name"] == "Wang"
    assert reader.get(f"{LEADS}/records/{lead['id']}").status_code == 200
    assert reader.get("/api/users").status_code == 200
    attempts = [
        reader.post(f"{LEADS}/records", json={"name": "Li"}),
        reader.patch(f"{LEADS}/records/{lead['id']}", json={"name": "Li", "version": 1}),
        reader.delete(f"{LEADS}/records/{lead['id']}"),
        reader.put("/api/org/users/1/manager", json={"manager_id": None}),
        reader.post("/api/auth/logout"),
    ]
    for response in attempts:
        problem = assert_problem(response, 403, "permission_denied")
        assert problem["reason"] == "token_read_only"
        assert "read-only" in problem["detail"]
    assert admin_client.get(f"{LEADS}/records/{lead['id']}").json()["name"] == "Wang"


def test_write_token_may_write(app: FastAPI, admin_client: TestClient, crm: str) -> None:
    token, _ = make_token(admin_client)
    writer = bearer_client(app, token)
    created = writer.post(f"{LEADS}/records", json={"name": "Li"})
    assert created.status_code == 201, created.text
    assert writer.delete(f"{LEADS}/records/{created.json()['id']}").status_code == 200


def test_app_limited_token_reaches_only_its_apps(
    app: FastAPI, admin_client: TestClient, two_apps: tuple[str, str]
) -> None:
    token, _ = make_token(admin_client, apps=["notes"])
    limited = bearer_client(app, token)
    assert limited.post(f"{NOTES}/records", json={"title": "hello"}).status_code == 201
    assert limited.get(f"{NOTES}/records").json()["items"][0]["title"] == "hello"
    assert limited.get("/api/apps/notes/documents").status_code == 200
    assert limited.get("/api/auth/me").json()["user"]["username"] == "admin"
    other = assert_problem(limited.get(f"{LEADS}/records"), 403, "permission_denied")
    assert other["reason"] == "token_apps" and "'crm'" in other["detail"]
    assert_problem(limited.post(f"{LEADS}/records", json={"name": "x"}), 403, "permission_denied")
    # An unknown app is refused the same way (no hint whether it exists).
    assert_problem(limited.get("/api/apps/ghost/entities/x/records"), 403, "permission_denied")
    # Routes about no one app are refused, except GET /api/auth/me.
    for path in ("/api/users", "/api/apps", "/api/org/departments", "/api/auth/tokens"):
        problem = assert_problem(limited.get(path), 403, "permission_denied")
        assert problem["reason"] == "token_apps"
        assert "not about one app" in problem["detail"]


def test_tokens_cannot_create_tokens(app: FastAPI, admin_client: TestClient) -> None:
    token, _ = make_token(admin_client)
    caller = bearer_client(app, token)
    problem = assert_problem(
        caller.post("/api/auth/tokens", json={"name": "child"}), 403, "permission_denied"
    )
    assert problem["reason"] == "token_scope"
    assert len(admin_client.get("/api/auth/tokens").json()) == 1
    # It may still list and revoke its owner's tokens (itself included).
    assert caller.get("/api/auth/tokens").status_code == 200
    own_id = caller.get("/api/auth/tokens").json()[0]["id"]
    assert caller.delete(f"/api/auth/tokens/{own_id}").json()["revoked_at"] is not None
    assert_problem(caller.get("/api/auth/me"), 401, "not_authenticated")


def test_last_used_at_is_written_at_most_once_a_minute(
    app: FastAPI, admin_client: TestClient, platform: Platform
) -> None:
    token, created = make_token(admin_client, access="read")
    caller = bearer_client(app, token)
    assert last_used(platform, created["id"]) is None
    # A refused call is not a use of the token.
    assert_problem(caller.post("/api/auth/logout"), 403, "permission_denied")
    assert last_used(platform, created["id"]) is None
    assert caller.get("/api/auth/me").status_code == 200
    first = last_used(platform, created["id"])
    assert first is not None
    recent = first - timedelta(seconds=30)
    set_last_used(platform, created["id"], recent)
    caller.get("/api/auth/me")
    assert last_used(platform, created["id"]) == recent
    old = datetime.now(UTC) - timedelta(minutes=5)
    set_last_used(platform, created["id"], old)
    caller.get("/api/auth/me")
    refreshed = last_used(platform, created["id"])
    assert refreshed is not None and refreshed > old + timedelta(minutes=4)
    listed = admin_client.get("/api/auth/tokens").json()[0]
    assert listed["last_used_at"] is not None


def test_creating_and_revoking_are_audited(
    admin_client: TestClient, platform: Platform, admin: User, two_apps: tuple[str, str]
) -> None:
    _, created = make_token(admin_client, name="ci", access="read", apps=["crm"])
    assert admin_client.delete(f"/api/auth/tokens/{created['id']}").status_code == 200
    admin_client.delete(f"/api/auth/tokens/{created['id']}")  # again: no second event
    made = audit_events(platform, "token_created")
    assert len(made) == 1
    assert made[0]["actor_id"] == admin.id and made[0]["username"] == "admin"
    assert made[0]["detail"] == {
        "token_id": created["id"],
        "name": "ci",
        "access": "read",
        "apps": ["crm"],
    }
    revoked = audit_events(platform, "token_revoked")
    assert [(e["actor_id"], e["detail"]["token_id"]) for e in revoked] == [
        (admin.id, created["id"])
    ]


def test_others_tokens_cannot_be_revoked(admin_client: TestClient, user_client: TestClient) -> None:
    _, created = make_token(admin_client)
    response = user_client.delete(f"/api/auth/tokens/{created['id']}")
    assert_problem(response, 404, "not_found")
    assert admin_client.get("/api/auth/tokens").json()[0]["revoked_at"] is None
