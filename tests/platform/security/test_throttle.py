"""Sign-in throttling through the API: per address and per username backoff, audited.

This replaces the hard lockout's tests: five wrong passwords no longer lock an account for
everyone (an outsider could lock the admin out); instead failures make the address and the
username they came from wait, and a clean address still gets in with the right password.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD, assert_problem
from security_testing import audit_events
from throttle_testing import START, client_at, freeze, login, refusal, remembered

from jimu.platform.models import User
from jimu.platform.state import Platform

WRONG = "wrong-password-1"
CLEAR = "/api/admin/sign-in-throttles/clear"


def test_sixty_usernames_from_one_address_are_throttled_long_before_the_sixtieth(
    app: FastAPI, platform: Platform
) -> None:
    freeze(app)
    with client_at(app, "203.0.113.5") as attacker:
        answers = [login(attacker, f"user{i}", "guess-password-1") for i in range(60)]
    # ten free failures, the eleventh makes the address wait; the other 49 are refused
    assert [a.status_code for a in answers] == [401] * 11 + [429] * 49
    body = refusal(answers[11])
    assert body["reason"] == "address_backoff" and body["retry_after"] == 1
    assert body["retry_at"] == (START + timedelta(seconds=1)).isoformat()
    assert "Too many failed sign-ins from your address" in body["detail"]
    failed = audit_events(platform, "sign_in_failed")
    assert [e["detail"]["reason"] for e in failed] == ["unknown_user"] * 11 + ["throttled"] * 49
    assert all(e["ip"] == "203.0.113.5" for e in failed)
    assert failed[10]["detail"]["failures"] == {"address": 11, "account": 1}
    assert failed[-1]["detail"] == {
        "method": "password",
        "reason": "throttled",
        "scope": "address",
        "retry_after": 1,
    }
    assert failed[-1]["username"] == "user59"


def test_an_outsiders_failures_do_not_lock_the_admin_out(
    app: FastAPI, platform: Platform, admin: User
) -> None:
    frozen = freeze(app)
    with (
        client_at(app, "203.0.113.66") as attacker,
        client_at(app, "198.51.100.7") as office,
    ):
        for _ in range(6):
            assert login(attacker, "admin", WRONG).status_code == 401
        # from the attacker's address even the right password has to wait now
        assert refusal(login(attacker, "admin", ADMIN_PASSWORD))["reason"] == "account_backoff"
        for _ in range(6):  # the attacker keeps going, as fast as the waits allow
            frozen.advance(refusal(login(attacker, "admin", WRONG))["retry_after"])
            assert login(attacker, "admin", WRONG).status_code == 401
        assert remembered(platform)[("account", "admin")] == 12
        refusal(login(attacker, "admin", ADMIN_PASSWORD))
        # the admin, from an address with a clean record, signs in at once
        assert login(office, "admin", ADMIN_PASSWORD).status_code == 200
        assert remembered(platform) == {("address", "203.0.113.66"): 12}
        assert refusal(login(attacker, "admin", ADMIN_PASSWORD))["reason"] == "address_backoff"
    signed_in = audit_events(platform, "sign_in")
    assert [(e["username"], e["ip"]) for e in signed_in] == [("admin", "198.51.100.7")]


def test_the_wait_doubles_up_to_the_cap_and_retry_after_tells_the_truth(
    app: FastAPI, platform: Platform, user: User
) -> None:
    platform.settings.login_account_free_failures = 2
    platform.settings.login_address_free_failures = 100
    platform.settings.login_backoff_max_seconds = 8
    frozen = freeze(app)
    waits = []
    with client_at(app, "192.0.2.10") as client:
        for _ in range(3):
            assert login(client, "alice", WRONG).status_code == 401
        for _ in range(5):
            body = refusal(login(client, "alice", USER_PASSWORD))
            assert body["reason"] == "account_backoff"
            wait = int(body["retry_after"])
            waits.append(wait)
            assert datetime.fromisoformat(body["retry_at"]) == frozen.now + timedelta(seconds=wait)
            frozen.advance(wait - 0.001)  # a moment before the time it named: still waiting
            assert refusal(login(client, "alice", USER_PASSWORD))["retry_after"] == 1
            frozen.advance(0.001)  # at the time it named: the password is checked again
            assert login(client, "alice", WRONG).status_code == 401
    assert waits == [1, 2, 4, 8, 8]
    reasons = [e["detail"]["reason"] for e in audit_events(platform, "sign_in_failed")]
    assert reasons.count("wrong_password") == 8 and reasons.count("throttled") == 10


def test_a_success_forgets_the_usernames_failures_but_not_the_addresses(
    app: FastAPI, platform: Platform, user: User
) -> None:
    frozen = freeze(app)
    with client_at(app, "192.0.2.20") as client:
        for _ in range(6):
            assert login(client, "alice", WRONG).status_code == 401
        frozen.advance(refusal(login(client, "alice", USER_PASSWORD))["retry_after"])
        assert login(client, "alice", USER_PASSWORD).status_code == 200
        assert remembered(platform) == {("address", "192.0.2.20"): 6}
        for _ in range(5):  # the username starts again from nothing: 5 free failures
            assert login(client, "alice", WRONG).status_code == 401
        # ... while the address, at 11 failures, now has to wait
        assert refusal(login(client, "alice", USER_PASSWORD))["reason"] == "address_backoff"
    assert remembered(platform) == {("address", "192.0.2.20"): 11, ("account", "alice"): 5}


def test_unknown_usernames_wait_exactly_like_users(
    app: FastAPI, platform: Platform, user: User
) -> None:
    freeze(app)
    with client_at(app, "192.0.2.30") as first, client_at(app, "192.0.2.31") as second:
        known = [login(first, "alice", WRONG) for _ in range(7)]
        unknown = [login(second, "nobody", WRONG) for _ in range(7)]
    assert [a.status_code for a in known] == [a.status_code for a in unknown] == [401] * 6 + [429]
    for mine, theirs in ((known[0], unknown[0]), (known[-1], unknown[-1])):
        assert mine.json() == theirs.json()
        assert mine.headers.get("Retry-After") == theirs.headers.get("Retry-After")
    failed = [e for e in audit_events(platform, "sign_in_failed") if e["username"] == "nobody"]
    assert [e["detail"]["reason"] for e in failed] == ["unknown_user"] * 6 + ["throttled"]
    assert all(e["actor_id"] is None and e["ip"] == "192.0.2.31" for e in failed)


def test_failures_are_forgotten_after_an_hour_without_one(
    app: FastAPI, platform: Platform, user: User
) -> None:
    frozen = freeze(app)
    with client_at(app, "192.0.2.40") as client:
        for _ in range(6):
            login(client, "alice", WRONG)
        frozen.advance(3599)
        assert login(client, "alice", WRONG).status_code == 401
        frozen.advance(3600)
        assert login(client, "alice", WRONG).status_code == 401
    counts = [e["detail"]["failures"] for e in audit_events(platform, "sign_in_failed")]
    assert counts[-2:] == [{"address": 7, "account": 7}, {"address": 1, "account": 1}]


def test_a_wrong_password_for_an_inactive_user_or_a_right_one_counts_alike(
    app: FastAPI, platform: Platform, user: User
) -> None:
    with platform.sessions() as db:
        row = db.get(User, user.id)
        assert row is not None
        row.is_active = False
        db.commit()
    freeze(app)
    with client_at(app, "192.0.2.50") as client:
        right = login(client, "alice", USER_PASSWORD)
        wrong = login(client, "alice", WRONG)
    assert_problem(right, 401, "not_authenticated")
    assert right.json() == wrong.json()
    reasons = [e["detail"]["reason"] for e in audit_events(platform, "sign_in_failed")]
    assert reasons == ["inactive", "wrong_password"]
    assert remembered(platform)[("account", "alice")] == 2


def test_an_admin_lists_and_clears_addresses_and_usernames(
    app: FastAPI, platform: Platform, user: User, admin: User, admin_client: TestClient
) -> None:
    freeze(app)
    with client_at(app, "203.0.113.9") as attacker:
        for _ in range(6):
            login(attacker, "alice", WRONG)
        refusal(login(attacker, "alice", USER_PASSWORD))
        listed = admin_client.get("/api/admin/sign-in-throttles").json()["throttles"]
        found = {(t["scope"], t["key"]): t for t in listed}
        assert set(found) == {("account", "alice"), ("address", "203.0.113.9")}
        alice = found[("account", "alice")]
        assert alice["failures"] == 6
        assert datetime.fromisoformat(alice["waiting_until"]) == START + timedelta(seconds=1)
        assert datetime.fromisoformat(alice["last_failure_at"]) == START
        assert found[("address", "203.0.113.9")]["waiting_until"] is None  # 6 of 10 free

        cleared = admin_client.post(CLEAR, json={"scope": "account", "key": "alice"})
        assert cleared.status_code == 200 and cleared.json()["failures"] == 6
        assert login(attacker, "alice", USER_PASSWORD).status_code == 200
        cleared = admin_client.post(CLEAR, json={"scope": "address", "key": "203.0.113.9"})
        assert cleared.status_code == 200 and cleared.json()["failures"] == 6
    assert remembered(platform) == {}
    again = assert_problem(
        admin_client.post(CLEAR, json={"scope": "address", "key": "203.0.113.9"}), 404, "not_found"
    )
    assert "203.0.113.9" in again["detail"]
    bad = assert_problem(
        admin_client.post(CLEAR, json={"scope": "user", "key": ""}), 422, "validation_failed"
    )
    assert {e["pointer"] for e in bad["errors"]} == {"/scope", "/key"}
    unlocked = audit_events(platform, "account_unlocked")
    assert [(e["actor_id"], e["username"], e["detail"]) for e in unlocked] == [
        (admin.id, "alice", {"user_id": user.id, "failures": 6})
    ]
    address = audit_events(platform, "address_unlocked")
    assert [(e["actor_id"], e["detail"]) for e in address] == [
        (admin.id, {"address": "203.0.113.9", "failures": 6})
    ]


def test_only_admins_see_or_clear_throttles(app: FastAPI, user_client: TestClient) -> None:
    assert_problem(user_client.get("/api/admin/sign-in-throttles"), 403, "permission_denied")
    refused = user_client.post(CLEAR, json={"scope": "account", "key": "alice"})
    assert_problem(refused, 403, "permission_denied")
    with client_at(app, "192.0.2.60") as anonymous:
        assert_problem(anonymous.get("/api/admin/sign-in-throttles"), 401, "not_authenticated")


def test_unlocking_a_user_or_resetting_their_password_forgets_their_failures(
    app: FastAPI, platform: Platform, user: User, admin: User, admin_client: TestClient
) -> None:
    freeze(app)
    with client_at(app, "203.0.113.10") as attacker:
        for _ in range(6):
            login(attacker, "alice", WRONG)
        refusal(login(attacker, "alice", USER_PASSWORD))
        unlocked = admin_client.post(f"/api/admin/users/{user.id}/unlock")
        assert unlocked.status_code == 200 and unlocked.json()["username"] == "alice"
        assert "locked_until" not in unlocked.json()
        assert login(attacker, "alice", USER_PASSWORD).status_code == 200
    with client_at(app, "203.0.113.11") as attacker:  # this address has a clean record
        for _ in range(6):
            login(attacker, "alice", WRONG)
        refusal(login(attacker, "alice", USER_PASSWORD))
        reset = admin_client.patch(f"/api/users/{user.id}", json={"password": "granite-kite-2026"})
        assert reset.status_code == 200
        assert login(attacker, "alice", "granite-kite-2026").status_code == 200
    events = audit_events(platform, "account_unlocked")
    assert [e["detail"] for e in events] == [{"user_id": user.id, "failures": 6}]
    assert_problem(admin_client.post("/api/admin/users/999/unlock"), 404, "not_found")


def test_changing_the_password_is_throttled_like_signing_in(
    app: FastAPI, platform: Platform, user_client: TestClient
) -> None:
    frozen = freeze(app)
    wrong = {"current_password": WRONG, "new_password": "granite-kite-2026"}
    right = {"current_password": USER_PASSWORD, "new_password": "granite-kite-2026"}
    for _ in range(6):
        failed = assert_problem(
            user_client.post("/api/auth/password", json=wrong), 422, "validation_failed"
        )
        assert [e["pointer"] for e in failed["errors"]] == ["/current_password"]
    body = refusal(user_client.post("/api/auth/password", json=right))
    assert body["reason"] == "account_backoff"
    assert remembered(platform) == {("account", "alice"): 6, ("address", "testclient"): 6}
    checks = [
        e["detail"]
        for e in audit_events(platform, "sign_in_failed")
        if e["detail"]["method"] == "password_change"
    ]
    assert [d["reason"] for d in checks] == ["wrong_password"] * 6 + ["throttled"]
    frozen.advance(body["retry_after"])
    assert user_client.post("/api/auth/password", json=right).status_code == 204
    assert remembered(platform) == {("address", "testclient"): 6}


def test_the_spec_names_the_429_and_its_retry_after(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/auth/login", "/api/auth/password"):
        throttled = paths[path]["post"]["responses"]["429"]
        assert "Retry-After" in throttled["headers"]
        assert "application/problem+json" in throttled["content"]
