"""One-time links end to end: an administrator invites a user (or resets their password by a
link), the user opens it, chooses a password under the policy, lands signed in; a used, expired,
replaced or unknown link is refused with a page that says which."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from platform_testing import send_origin

from jimu.platform.models import AuditEvent, Invitation, utcnow
from jimu.platform.state import Platform


def invite(admin: TestClient, username: str) -> tuple[int, str]:
    made = admin.post(
        "/api/org/users", json={"username": username, "display_name": "Ann", "access": "invite"}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["temporary_password"] is None and body["expires_at"]
    return int(body["user"]["id"]), str(body["invite_path"])


def choose(browser: TestClient, path: str, password: str, repeat: str | None = None) -> Any:
    send_origin(browser)
    form = {"new_password": password, "repeat_password": password if repeat is None else repeat}
    return browser.post(path, data=form, follow_redirects=False)


def test_an_invited_user_chooses_a_password_and_lands_signed_in(
    admin_client: TestClient, app: Any, platform: Platform
) -> None:
    user_id, path = invite(admin_client, "ann")
    assert path.startswith("/invite/")
    with TestClient(app) as browser:
        page = browser.get(path + "?lang=en")
        assert page.status_code == 200
        assert "Welcome, Ann" in page.text and 'value="ann"' in page.text
        assert page.headers["referrer-policy"] == "same-origin"
        differs = choose(browser, path, "a-good-secret-9", "another-secret-9")
        assert differs.status_code == 422 and 'id="repeat_password-errors"' in differs.text
        weak = choose(browser, path, "short")
        assert weak.status_code == 422 and 'id="new_password-errors"' in weak.text
        done = choose(browser, path, "a-good-secret-9")
        assert done.status_code == 303 and done.headers["location"] == "/apps"
        me = browser.get("/api/auth/me")
        assert me.status_code == 200 and me.json()["user"]["username"] == "ann"
        again = browser.get(path + "?lang=zh")
        assert again.status_code == 410 and "此链接已被使用过" in again.text
        reused = choose(browser, path, "a-good-secret-9")
        assert reused.status_code == 410
    with TestClient(app) as other:
        login = other.post(
            "/api/auth/login", json={"username": "ann", "password": "a-good-secret-9"}
        )
        assert login.status_code == 200
    with platform.engine.connect() as conn:
        kinds = list(
            conn.execute(
                sa.select(AuditEvent.kind, AuditEvent.detail)
                .where(AuditEvent.kind.in_(["user_invited", "invitation_used"]))
                .order_by(AuditEvent.id)
            )
        )
        stored = list(conn.scalars(sa.select(Invitation.token_hash)))
    assert [k for k, _ in kinds] == ["user_invited", "invitation_used"]
    assert kinds[1][1] == {"user_id": user_id, "purpose": "invite"}
    # Only the digest is kept, never the token itself.
    assert stored and path.removeprefix("/invite/") not in stored


def test_expired_replaced_unknown_and_deactivated_links_are_refused(
    admin_client: TestClient, app: Any, platform: Platform
) -> None:
    user_id, first = invite(admin_client, "ann")
    reset = admin_client.post(f"/api/org/users/{user_id}/password-reset", json={"access": "invite"})
    second = reset.json()["invite_path"]
    with TestClient(app) as browser:
        replaced = browser.get(first + "?lang=en")
        assert replaced.status_code == 410 and "This link has expired." in replaced.text
        assert browser.get("/invite/not-a-token?lang=en").status_code == 410
        assert "This link is not valid." in browser.get("/invite/nope?lang=en").text
        assert browser.get(second).status_code == 200
        with platform.sessions() as db:
            db.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
            db.commit()
        expired = choose(browser, second, "a-good-secret-9")
        assert expired.status_code == 410
        third = admin_client.post(
            f"/api/org/users/{user_id}/password-reset", json={"access": "invite"}
        ).json()["invite_path"]
        assert admin_client.patch(f"/api/users/{user_id}", json={"is_active": False}).is_success
        inactive = browser.get(third + "?lang=en")
        assert inactive.status_code == 410 and "deactivated" in inactive.text


def test_a_reset_link_for_a_user_with_a_password(
    admin_client: TestClient, app: Any, platform: Platform
) -> None:
    made = admin_client.post("/api/org/users", json={"username": "bob", "access": "temporary"})
    user_id = made.json()["user"]["id"]
    link = admin_client.post(f"/api/org/users/{user_id}/password-reset", json={"access": "invite"})
    path = link.json()["invite_path"]
    with TestClient(app) as browser:
        assert "choose a new password" in browser.get(path + "?lang=en").text
        assert choose(browser, path, "bob-is-not-here-1").status_code == 422  # contains "bob"
        assert choose(browser, path, "a-fresh-secret-4").status_code == 303
        # The temporary password is gone and so is the must-change flag.
        assert browser.get("/api/org/departments").status_code == 200
        assert browser.get("/apps", follow_redirects=False).status_code == 200
    with platform.engine.connect() as conn:
        methods = list(
            conn.scalars(
                sa.select(AuditEvent.detail["method"].as_string()).where(
                    AuditEvent.kind == "password_reset"
                )
            )
        )
    assert sorted(methods) == ["link", "temporary"]
