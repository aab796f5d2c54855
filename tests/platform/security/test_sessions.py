"""Session expiry (absolute and idle), sign-out everywhere, and the cookies' flags on real
responses of a uvicorn server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD, sign_in
from security_testing import HTML, audit_events, csrf_of, page_login, serve

from jimu.app import create_app
from jimu.platform.auth.crypto import digest
from jimu.platform.auth.sessions import COOKIE_NAME
from jimu.platform.models import Session as SessionRow
from jimu.platform.models import User
from jimu.platform.settings import Settings
from jimu.platform.state import Platform


def session_row(platform: Platform, client: TestClient) -> SessionRow:
    with platform.sessions() as db:
        row = db.get(SessionRow, digest(client.cookies[COOKIE_NAME]))
        assert row is not None
        return row


def set_session(platform: Platform, client: TestClient, **values: object) -> None:
    with platform.sessions() as db:
        sid = digest(client.cookies[COOKIE_NAME])
        db.execute(sa.update(SessionRow).where(SessionRow.id == sid).values(**values))
        db.commit()


def test_an_idle_session_ends(user_client: TestClient, platform: Platform) -> None:
    assert session_row(platform, user_client).last_seen_at is not None
    set_session(platform, user_client, last_seen_at=datetime.now(UTC) - timedelta(hours=7))
    assert user_client.get("/api/auth/me").status_code == 200
    set_session(platform, user_client, last_seen_at=datetime.now(UTC) - timedelta(hours=9))
    assert user_client.get("/api/auth/me").status_code == 401
    with platform.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(SessionRow)) == 0


def test_the_idle_timeout_is_a_setting(user_client: TestClient, platform: Platform) -> None:
    platform.settings.session_idle_hours = 0.5
    set_session(platform, user_client, last_seen_at=datetime.now(UTC) - timedelta(minutes=40))
    assert user_client.get("/api/auth/me").status_code == 401


def test_last_seen_is_written_only_when_a_minute_old(
    user_client: TestClient, platform: Platform
) -> None:
    recent = datetime.now(UTC) - timedelta(seconds=20)
    set_session(platform, user_client, last_seen_at=recent)
    assert user_client.get("/api/auth/me").status_code == 200
    seen = session_row(platform, user_client).last_seen_at
    assert seen is not None and seen.replace(tzinfo=UTC) == recent.replace(tzinfo=UTC)
    old = datetime.now(UTC) - timedelta(minutes=5)
    set_session(platform, user_client, last_seen_at=old)
    assert user_client.get("/api/auth/me").status_code == 200
    seen = session_row(platform, user_client).last_seen_at
    assert seen is not None and seen.replace(tzinfo=UTC) > old + timedelta(minutes=4)


def test_the_absolute_lifetime_still_ends_a_busy_session(
    user_client: TestClient, platform: Platform
) -> None:
    set_session(platform, user_client, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert user_client.get("/api/auth/me").status_code == 401


def test_sign_out_everywhere(
    app: FastAPI, user_client: TestClient, admin: User, platform: Platform
) -> None:
    with TestClient(app) as phone, TestClient(app) as admin:
        sign_in(phone, "alice", USER_PASSWORD)
        sign_in(admin, "admin", ADMIN_PASSWORD)
        response = user_client.post("/api/auth/logout-everywhere")
        assert response.status_code == 204
        assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"]
        assert phone.get("/api/auth/me").status_code == 401
        assert admin.get("/api/auth/me").status_code == 200  # someone else's session stays
    assert user_client.get("/api/auth/me").status_code == 401
    event = audit_events(platform, "sign_out")[-1]
    assert event["detail"] == {"everywhere": True, "sessions_ended": 2}


def test_sign_out_everywhere_from_the_security_page(
    app: FastAPI, client: TestClient, user: User, platform: Platform
) -> None:
    with TestClient(app) as phone:
        sign_in(phone, "alice", USER_PASSWORD)
        assert page_login(client, "alice", USER_PASSWORD).status_code == 303
        page = client.get("/account/security", headers=HTML)
        done = client.post(
            "/logout/everywhere", data={"csrf_token": csrf_of(page.text)}, headers=HTML
        )
        assert done.status_code == 200 and "You have signed out everywhere." in done.text
        assert phone.get("/api/auth/me").status_code == 401
    kinds = [e["detail"]["everywhere"] for e in audit_events(platform, "sign_out")]
    assert kinds == [True]


def test_signing_out_is_audited(user_client: TestClient, platform: Platform, user: User) -> None:
    assert user_client.post("/api/auth/logout").status_code == 204
    event = audit_events(platform, "sign_out")[0]
    assert event["actor_id"] == user.id and event["detail"]["everywhere"] is False


def cookie_flags(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


def test_cookie_flags_on_a_real_https_deployment(settings: Settings, user: User) -> None:
    https = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        secret_key="test-secret",
        base_url="https://jimu.example.com",
    )
    assert https.cookie_secure is True
    with serve(create_app(https)) as base, httpx.Client(base_url=base) as web:
        login = web.post("/api/auth/login", json={"username": "alice", "password": USER_PASSWORD})
        assert login.status_code == 200
        session_cookie = login.headers["set-cookie"]
        assert session_cookie.startswith(f"{COOKIE_NAME}=")
        assert {"httponly", "secure", "samesite", "path", "max-age"} <= cookie_flags(session_cookie)
        assert "samesite=lax" in session_cookie.lower()
        form = web.get("/login", headers=HTML)
        login_csrf = form.headers["set-cookie"]
        assert {"httponly", "secure"} <= cookie_flags(login_csrf)
        assert "samesite=strict" in login_csrf.lower()


def test_cookie_flags_over_plain_http(settings: Settings, user: User) -> None:
    with serve(create_app(settings)) as base, httpx.Client(base_url=base) as web:
        login = web.post("/api/auth/login", json={"username": "alice", "password": USER_PASSWORD})
        flags = cookie_flags(login.headers["set-cookie"])
        assert "httponly" in flags and "secure" not in flags
        assert web.get("/api/auth/me").status_code == 200
