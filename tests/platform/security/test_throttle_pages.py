"""Sign-in throttling on the pages: the login and security pages say how long to wait, in the
reader's language, and administrators clear waits on /admin/sign-in-throttles (audited)."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import USER_PASSWORD
from security_testing import HTML, audit_events, csrf_of, page_login, text_of
from throttle_testing import client_at, freeze, login, refusal, remembered

from jimu.platform.models import User
from jimu.platform.state import Platform

WRONG = "wrong-password-1"
PAGE = "/admin/sign-in-throttles"


def test_the_login_page_says_how_long_to_wait_in_the_readers_language(
    app: FastAPI, client: TestClient, user: User, platform: Platform
) -> None:
    platform.settings.login_address_free_failures = 1
    freeze(app)
    assert page_login(client, "alice", WRONG).status_code == 401
    assert page_login(client, "nobody", WRONG).status_code == 401  # the second one waits 1 s
    waiting = page_login(client, "alice", USER_PASSWORD)
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert (
        "Too many failed sign-ins from your address. Try again after 2026-12-07 09:00:01 (UTC) "
        "(in 1 s)." in text_of(waiting.text)
    )
    client.cookies.set("jimu_lang", "zh")
    again = page_login(client, "alice", USER_PASSWORD)
    assert again.status_code == 429
    assert "您所在地址的登录失败次数过多，请在 2026-12-07 09:00:01 (UTC) 之后（1 秒后）再试。" in (
        text_of(again.text)
    )
    assert client.get("/apps", headers=HTML, follow_redirects=False).status_code == 303
    reasons = [e["detail"]["reason"] for e in audit_events(platform, "sign_in_failed")]
    assert reasons == ["wrong_password", "unknown_user", "throttled", "throttled"]


def test_the_security_page_counts_a_wrong_current_password_and_says_how_long_to_wait(
    app: FastAPI, client: TestClient, user: User, platform: Platform
) -> None:
    assert page_login(client, "alice", USER_PASSWORD).status_code == 303
    platform.settings.login_account_free_failures = 0
    frozen = freeze(app)
    page = client.get("/account/security", headers=HTML)
    form = {
        "csrf_token": csrf_of(page.text),
        "current_password": WRONG,
        "new_password": "granite-kite-2026",
        "repeat_password": "granite-kite-2026",
    }
    failed = client.post("/account/security/password", data=form, headers=HTML)
    assert failed.status_code == 422 and "not your current password" in text_of(failed.text)
    assert remembered(platform)[("account", "alice")] == 1  # kept, though nothing else was
    form["current_password"] = USER_PASSWORD
    waiting = client.post("/account/security/password", data=form, headers=HTML)
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert "Too many failed sign-ins for this username." in text_of(waiting.text)
    frozen.advance(1)
    done = client.post("/account/security/password", data=form, headers=HTML)
    assert done.status_code == 200 and "Your password was changed" in text_of(done.text)
    assert ("account", "alice") not in remembered(platform)
    checks = [e["detail"] for e in audit_events(platform, "sign_in_failed")]
    assert [(d["method"], d["reason"]) for d in checks] == [
        ("password_change", "wrong_password"),
        ("password_change", "throttled"),
    ]


def test_a_repeat_that_differs_keeps_the_old_password(
    app: FastAPI, client: TestClient, user: User, platform: Platform
) -> None:
    assert page_login(client, "alice", USER_PASSWORD).status_code == 303
    page = client.get("/account/security", headers=HTML)
    form = {
        "csrf_token": csrf_of(page.text),
        "current_password": USER_PASSWORD,
        "new_password": "granite-kite-2026",
        "repeat_password": "granite-kite-2027",
    }
    assert client.post("/account/security/password", data=form, headers=HTML).status_code == 422
    assert audit_events(platform, "password_changed") == []
    with client_at(app, "192.0.2.70") as other:
        assert login(other, "alice", USER_PASSWORD).status_code == 200


def test_an_admin_clears_a_wait_on_the_throttles_page(
    app: FastAPI, admin_client: TestClient, admin: User, user: User, platform: Platform
) -> None:
    freeze(app)
    with client_at(app, "203.0.113.20") as attacker:
        for _ in range(6):
            login(attacker, "alice", WRONG)
        refusal(login(attacker, "alice", USER_PASSWORD))
        admin_client.cookies.set("jimu_lang", "zh")
        page = admin_client.get(PAGE, headers=HTML)
        assert page.status_code == 200
        text = text_of(page.text)
        assert "登录限速" in text and "用户名" in text and "地址" in text
        assert re.search(
            r'data-scope="account" data-key="alice" class="throttle-waiting"', page.text
        )
        assert 'data-scope="address" data-key="203.0.113.20">' in page.text  # not waiting yet
        assert "2026-12-07 09:00:01" in text and "无需等待" in text
        form = {"csrf_token": csrf_of(page.text), "scope": "account", "key": "alice"}
        cleared = admin_client.post(PAGE + "/clear", data=form, headers=HTML)
        assert cleared.status_code == 200 and "已忘记 alice 的登录失败。" in text_of(cleared.text)
        assert login(attacker, "alice", USER_PASSWORD).status_code == 200
        admin_client.cookies.set("jimu_lang", "en")
        nothing = admin_client.post(PAGE + "/clear", data=form, headers=HTML)
        assert "No failed sign-ins are remembered for alice." in text_of(nothing.text)
        bad = admin_client.post(PAGE + "/clear", data=form | {"scope": "user"}, headers=HTML)
        assert bad.status_code == 422
    events = audit_events(platform, "account_unlocked")
    assert [(e["actor_id"], e["detail"]) for e in events] == [
        (admin.id, {"user_id": user.id, "failures": 6})
    ]
    audit = admin_client.get("/admin/audit", headers=HTML)
    assert f'href="{PAGE}"' in audit.text


def test_only_admins_open_the_throttles_page(user_client: TestClient) -> None:
    assert user_client.get(PAGE, headers=HTML).status_code == 403


def test_a_username_longer_than_any_is_refused_and_audited_cut_short(
    client: TestClient, platform: Platform
) -> None:
    typed = "x" * 300
    assert page_login(client, typed, WRONG).status_code == 401
    [failed] = audit_events(platform, "sign_in_failed")
    assert failed["username"] == "x" * 150 and failed["detail"]["reason"] == "unknown_user"
    assert remembered(platform)[("address", "testclient")] == 1
