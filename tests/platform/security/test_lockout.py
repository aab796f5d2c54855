"""Lockout after repeated failed sign-ins, through the API and the login page, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from platform_testing import USER_PASSWORD, assert_problem
from security_testing import HTML, audit_events, audit_kinds, page_login, text_of

from jimu.platform.models import User
from jimu.platform.security.sign_in import LockoutPolicy, replay_lockout
from jimu.platform.state import Platform

LOGIN = "/api/auth/login"


def login(client: TestClient, username: str, password: str) -> dict[str, object]:
    response = client.post(LOGIN, json={"username": username, "password": password})
    if response.status_code == 200:
        return {"ok": True}
    return assert_problem(response, 401, "not_authenticated")


def test_five_failures_lock_the_account_even_for_the_right_password(
    client: TestClient, user: User, platform: Platform
) -> None:
    for _ in range(4):
        body = login(client, "alice", "wrong-password-1")
        assert body["detail"] == "The username or password is wrong."
        assert body["reason"] == "wrong_credentials"
    fifth = login(client, "alice", "wrong-password-1")
    assert fifth["reason"] == "locked"
    assert "locked" in str(fifth["detail"]) and "try again after" in str(fifth["detail"])
    until = datetime.fromisoformat(str(fifth["locked_until"]))
    right = login(client, "alice", USER_PASSWORD)
    assert right["reason"] == "locked" and right["detail"] == fifth["detail"]
    assert datetime.fromisoformat(str(right["locked_until"])) == until
    kinds = audit_kinds(platform, "alice")
    assert kinds == ["sign_in_failed"] * 5 + ["account_locked", "sign_in_failed"]
    reasons = [e["detail"]["reason"] for e in audit_events(platform, "sign_in_failed")]
    assert reasons == ["wrong_password"] * 5 + ["locked"]
    assert audit_events(platform, "account_locked")[0]["actor_id"] == user.id


def test_a_success_resets_the_count(client: TestClient, user: User, platform: Platform) -> None:
    for _ in range(4):
        login(client, "alice", "wrong-password-1")
    assert login(client, "alice", USER_PASSWORD) == {"ok": True}
    for _ in range(4):
        assert login(client, "alice", "wrong-password-1")["reason"] == "wrong_credentials"
    with platform.sessions() as db:
        row = db.get(User, user.id)
        assert row is not None and row.failed_logins == 4 and row.locked_until is None
    assert audit_events(platform, "sign_in")[0]["detail"] == {"method": "password"}


def test_the_lock_ends(client: TestClient, user: User, platform: Platform) -> None:
    for _ in range(5):
        login(client, "alice", "wrong-password-1")
    assert login(client, "alice", USER_PASSWORD)["reason"] == "locked"
    with platform.sessions() as db:  # as if the lockout minutes had passed
        db.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.commit()
    assert login(client, "alice", USER_PASSWORD) == {"ok": True}


def test_the_limits_are_settings(platform: Platform, client: TestClient, user: User) -> None:
    platform.settings.login_max_failures = 2
    platform.settings.login_lockout_minutes = 60
    assert login(client, "alice", "wrong-password-1")["reason"] == "wrong_credentials"
    locked = login(client, "alice", "wrong-password-1")
    assert locked["reason"] == "locked"
    until = datetime.fromisoformat(str(locked["locked_until"]))
    assert timedelta(minutes=59) < until - datetime.now(UTC) <= timedelta(minutes=60)


def test_unknown_usernames_answer_like_known_ones(
    client: TestClient, user: User, platform: Platform
) -> None:
    known = login(client, "alice", "wrong-password-1")
    unknown = login(client, "nobody", "wrong-password-1")
    assert {k: v for k, v in known.items() if k != "instance"} == {
        k: v for k, v in unknown.items() if k != "instance"
    }
    for _ in range(4):
        last_known = login(client, "alice", "wrong-password-1")
        last_unknown = login(client, "nobody", "wrong-password-1")
    assert last_known["reason"] == last_unknown["reason"] == "locked"
    assert sorted(last_known) == sorted(last_unknown)
    failed = [e for e in audit_events(platform, "sign_in_failed") if e["username"] == "nobody"]
    assert len(failed) == 5
    assert all(e["actor_id"] is None and e["detail"]["reason"] == "unknown_user" for e in failed)
    assert failed[0]["ip"] == "testclient"


def test_replaying_failures_follows_the_same_rules() -> None:
    policy = LockoutPolicy(max_failures=3, lockout=timedelta(minutes=10))
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    minutes = [start + timedelta(minutes=m) for m in (0, 1, 2, 5, 13, 14)]
    # locked at 9:02 until 9:12; 9:05 falls in the lock and does not count
    assert replay_lockout(minutes[:3], policy, start + timedelta(minutes=3)) == start + timedelta(
        minutes=12
    )
    assert replay_lockout(minutes[:4], policy, start + timedelta(minutes=12)) is None
    assert replay_lockout(minutes, policy, start + timedelta(minutes=14)) is None


def test_the_login_page_says_the_account_is_locked(
    client: TestClient, user: User, platform: Platform
) -> None:
    for _ in range(4):
        page = page_login(client, "alice", "wrong-password-1")
        assert page.status_code == 401
        assert "The username or password is wrong." in text_of(page.text)
    locked = page_login(client, "alice", "wrong-password-1")
    assert locked.status_code == 401
    assert "This account is locked after too many failed sign-ins" in text_of(locked.text)
    assert "(UTC)" in text_of(locked.text)
    client.cookies.set("jimu_lang", "zh")
    again = page_login(client, "alice", USER_PASSWORD)
    assert again.status_code == 401 and "此账号已被锁定" in text_of(again.text)
    assert client.get("/apps", headers=HTML, follow_redirects=False).status_code == 303
    kinds = audit_kinds(platform, "alice")
    assert kinds.count("account_locked") == 1 and kinds.count("sign_in_failed") == 6


def test_an_admin_sees_and_lifts_a_lock(
    client: TestClient, admin_client: TestClient, user: User, platform: Platform
) -> None:
    for _ in range(5):
        login(client, "alice", "wrong-password-1")
    listed = {u["username"]: u for u in admin_client.get("/api/users").json()}
    assert listed["alice"]["locked_until"] is not None
    assert listed["admin"]["locked_until"] is None
    url = f"/api/admin/users/{user.id}/unlock"
    assert_problem(client.post(url), 401, "not_authenticated")
    unlocked = admin_client.post(url)
    assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None
    assert login(client, "alice", USER_PASSWORD) == {"ok": True}
    event = audit_events(platform, "account_unlocked")[0]
    assert event["username"] == "alice" and event["detail"]["was_locked_until"] is not None
    assert_problem(admin_client.post("/api/admin/users/999/unlock"), 404, "not_found")
