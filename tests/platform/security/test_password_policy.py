"""The password policy: every broken rule at once, in the CLI, the users API, the password
change (API and page, en + zh), and what a change does to sessions and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import USER_PASSWORD, assert_problem, sign_in
from security_testing import HTML, STRONG_PASSWORD, audit_events, csrf_of, page_login, text_of

from jimu.platform.auth.sessions import COOKIE_NAME
from jimu.platform.cli import main
from jimu.platform.models import User
from jimu.platform.security.password_policy import PasswordPolicy, password_problems
from jimu.platform.state import Platform


def codes(password: str, username: str = "alice", min_length: int = 10) -> list[str]:
    return [p.code for p in password_problems(password, username, PasswordPolicy(min_length))]


def test_every_broken_rule_is_named() -> None:
    assert codes(STRONG_PASSWORD) == []
    assert codes("alice") == ["min_length", "contains_username", "letters_and_digits"]
    assert codes("xx-Alice-2026") == ["contains_username"]
    assert codes("only-letters-here") == ["letters_and_digits"]
    assert codes("12345678901234") == ["letters_and_digits"]
    assert codes("Password123") == ["common"]
    assert codes("abc12", min_length=5) == []
    problems = password_problems("x", "bob", PasswordPolicy(), "/new_password")
    assert {p.pointer for p in problems} == {"/new_password"}
    assert problems[0].message == "Use at least 10 characters."


def test_the_users_api_applies_the_policy(admin_client: TestClient, platform: Platform) -> None:
    bad = {"username": "carol", "password": "carol"}
    body = assert_problem(admin_client.post("/api/users", json=bad), 422, "validation_failed")
    assert [(e["pointer"], e["code"]) for e in body["errors"]] == [
        ("/password", "min_length"),
        ("/password", "contains_username"),
        ("/password", "letters_and_digits"),
    ]
    created = admin_client.post("/api/users", json={"username": "carol", "password": "x1" * 5})
    assert created.status_code == 201
    with platform.sessions() as db:
        carol = db.get(User, created.json()["id"])
        assert carol is not None and carol.password_changed_at is not None


def test_the_minimum_length_is_a_setting(admin_client: TestClient, platform: Platform) -> None:
    platform.settings.password_min_length = 16
    new = {"username": "carol", "password": STRONG_PASSWORD}  # 17 characters
    assert admin_client.post("/api/users", json=new).status_code == 201
    short = {"username": "dave", "password": "granite-kite-26"}
    body = assert_problem(admin_client.post("/api/users", json=short), 422, "validation_failed")
    assert body["errors"][0]["message"] == "Use at least 16 characters."


def test_an_admin_reset_applies_the_policy_and_ends_the_users_sessions(
    app: FastAPI, admin_client: TestClient, user: User, platform: Platform
) -> None:
    with TestClient(app) as alice:
        sign_in(alice, "alice", USER_PASSWORD)
        url = f"/api/users/{user.id}"
        bad = admin_client.patch(url, json={"password": "password123"})
        errors = assert_problem(bad, 422, "validation_failed")["errors"]
        assert [e["code"] for e in errors] == ["common"]
        assert alice.get("/api/auth/me").status_code == 200
        assert admin_client.patch(url, json={"password": STRONG_PASSWORD}).status_code == 200
        assert alice.get("/api/auth/me").status_code == 401
    event = audit_events(platform, "password_changed")[-1]
    assert event["username"] == "alice" and event["detail"]["by"] == "admin"
    assert event["detail"]["other_sessions_ended"] == 1


def test_changing_your_password_ends_your_other_sessions(
    app: FastAPI, user_client: TestClient, platform: Platform, user: User
) -> None:
    with TestClient(app) as laptop:
        sign_in(laptop, "alice", USER_PASSWORD)
        bad = user_client.post(
            "/api/auth/password", json={"current_password": "nope", "new_password": "alice"}
        )
        errors = assert_problem(bad, 422, "validation_failed")["errors"]
        assert [(e["pointer"], e["code"]) for e in errors] == [
            ("/current_password", "wrong"),
            ("/new_password", "min_length"),
            ("/new_password", "contains_username"),
            ("/new_password", "letters_and_digits"),
        ]
        assert laptop.get("/api/auth/me").status_code == 200
        change = {"current_password": USER_PASSWORD, "new_password": STRONG_PASSWORD}
        assert user_client.post("/api/auth/password", json=change).status_code == 204
        assert user_client.get("/api/auth/me").status_code == 200
        assert laptop.get("/api/auth/me").status_code == 401
    event = audit_events(platform, "password_changed")[0]
    assert event["actor_id"] == user.id and event["detail"]["other_sessions_ended"] == 1
    with platform.sessions() as db:
        row = db.get(User, user.id)
        assert row is not None and row.password_changed_at is not None


def test_the_cli_applies_the_policy(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(tmp_path), "--database-url", db_url]
    assert main([*base, "db", "upgrade"]) == 0
    assert main([*base, "user", "create", "ann", "--password", "ann-pass"]) == 1
    err = capsys.readouterr().err
    assert "/password: Use at least 10 characters." in err
    assert "/password: The password must not contain the username." in err
    assert "/password: Use both letters and digits in the password." in err
    assert main([*base, "user", "create", "ann", "--password", STRONG_PASSWORD]) == 0


def test_the_security_page_shows_every_problem_in_the_viewers_language(
    client: TestClient, user: User, platform: Platform
) -> None:
    assert page_login(client, "alice", USER_PASSWORD).status_code == 303
    client.cookies.set("jimu_lang", "zh")
    page = client.get("/account/security", headers=HTML)
    assert page.status_code == 200 and "至少 10 个字符" in text_of(page.text)
    form = {
        "csrf_token": csrf_of(page.text),
        "current_password": "nope",
        "new_password": "alice",
        "repeat_password": "alicia",
    }
    failed = client.post("/account/security/password", data=form, headers=HTML)
    assert failed.status_code == 422
    text = text_of(failed.text)
    for message in (
        "当前密码不正确。",
        "至少使用 10 个字符。",
        "密码不能包含用户名。",
        "须同时包含字母和数字。",
        "两次输入的密码不一致。",
    ):
        assert message in text
    client.cookies.set("jimu_lang", "en")
    form |= {
        "current_password": USER_PASSWORD,
        "new_password": STRONG_PASSWORD,
        "repeat_password": STRONG_PASSWORD,
    }
    done = client.post("/account/security/password", data=form, headers=HTML)
    assert done.status_code == 200 and "Your password was changed" in text_of(done.text)
    assert COOKIE_NAME in client.cookies
    assert [e["username"] for e in audit_events(platform, "password_changed")] == ["alice"]
