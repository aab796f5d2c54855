"""The /api/auth and /api/users routes: login, logout, CSRF, API tokens."""

from __future__ import annotations

from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD, assert_problem

from jimu.platform.auth.sessions import COOKIE_NAME
from jimu.platform.models import User


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["migrated"] is True


def test_login_sets_an_httponly_cookie_and_me_works(client: TestClient, admin: User) -> None:
    response = client.post(
        "/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE_NAME}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    body = response.json()
    assert body["user"]["username"] == "admin" and body["user"]["is_admin"] is True
    assert "password_hash" not in body["user"]
    me = client.get("/api/auth/me").json()
    assert me["user"]["id"] == admin.id and me["csrf_token"] == body["csrf_token"]


def test_wrong_password_is_401(client: TestClient, admin: User) -> None:
    response = client.post("/api/auth/login", json={"username": "admin", "password": "wrong"})
    assert_problem(response, 401, "not_authenticated")
    assert COOKIE_NAME not in response.cookies


def test_anonymous_is_401(client: TestClient) -> None:
    assert_problem(client.get("/api/auth/me"), 401, "not_authenticated")


def test_unsafe_cookie_requests_need_the_csrf_token(admin_client: TestClient) -> None:
    csrf = admin_client.headers.pop("X-CSRF-Token")
    body = assert_problem(
        admin_client.post("/api/auth/tokens", json={"name": "x"}), 403, "permission_denied"
    )
    assert body["reason"] == "csrf"
    wrong = admin_client.post(
        "/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "no"}
    )
    assert_problem(wrong, 403, "permission_denied")
    form = admin_client.post("/api/auth/logout", data={"csrf_token": csrf})
    assert form.status_code == 204


def test_logout_ends_the_session(admin_client: TestClient) -> None:
    cookie = admin_client.cookies[COOKIE_NAME]
    assert admin_client.post("/api/auth/logout").status_code == 204
    admin_client.cookies.set(COOKIE_NAME, cookie)
    assert_problem(admin_client.get("/api/auth/me"), 401, "not_authenticated")


def test_api_token_round_trip(admin_client: TestClient, app: object) -> None:
    created = admin_client.post("/api/auth/tokens", json={"name": "script"})
    assert created.status_code == 201
    token = created.json()["token"]
    bearer = TestClient(admin_client.app)
    headers = {"Authorization": f"Bearer {token}"}
    assert bearer.get("/api/auth/me", headers=headers).json()["user"]["username"] == "admin"
    # Bearer requests need no CSRF token (a token may not create tokens: tests/platform/tokens).
    other = admin_client.post("/api/auth/tokens", json={"name": "second"})
    assert other.status_code == 201
    assert bearer.delete(f"/api/auth/tokens/{other.json()['id']}", headers=headers).is_success
    listed = admin_client.get("/api/auth/tokens").json()
    assert [t["name"] for t in listed] == ["script", "second"]
    assert all("token" not in t for t in listed)
    revoked = admin_client.delete(f"/api/auth/tokens/{created.json()['id']}")
    assert revoked.json()["revoked_at"] is not None
    assert_problem(bearer.get("/api/auth/me", headers=headers), 401, "not_authenticated")
    assert_problem(admin_client.delete("/api/auth/tokens/9999"), 404, "not_found")


def test_bad_bearer_token_is_401_even_with_a_cookie(admin_client: TestClient) -> None:
    response = admin_client.get("/api/auth/me", headers={"Authorization": "Bearer nope"})
    assert_problem(response, 401, "not_authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_admins_create_users_others_may_not(
    admin_client: TestClient, user_client: TestClient
) -> None:
    new = {"username": "carol", "password": "tall-river-42"}
    assert_problem(user_client.post("/api/users", json=new), 403, "permission_denied")
    created = admin_client.post("/api/users", json=new)
    assert created.status_code == 201 and created.json()["username"] == "carol"
    names = [u["username"] for u in user_client.get("/api/users").json()]
    assert sorted(names) == ["admin", "alice", "carol"]
    dup = assert_problem(admin_client.post("/api/users", json=new), 409, "conflict")
    assert dup["errors"][0]["pointer"] == "/username"


def test_user_password_login_for_non_admin(client: TestClient, user: User) -> None:
    ok = client.post("/api/auth/login", json={"username": "alice", "password": USER_PASSWORD})
    assert ok.json()["user"]["is_admin"] is False


def test_change_own_password(user_client: TestClient) -> None:
    wrong = user_client.post(
        "/api/auth/password", json={"current_password": "nope", "new_password": "new-password-1"}
    )
    assert assert_problem(wrong, 422, "validation_failed")["errors"][0]["pointer"] == (
        "/current_password"
    )
    short = user_client.post(
        "/api/auth/password", json={"current_password": USER_PASSWORD, "new_password": "x"}
    )
    assert assert_problem(short, 422, "validation_failed")["errors"][0]["pointer"] == (
        "/new_password"
    )
    ok = user_client.post(
        "/api/auth/password",
        json={"current_password": USER_PASSWORD, "new_password": "new-password-1"},
    )
    assert ok.status_code == 204
    fresh = TestClient(user_client.app)
    login = {"username": "alice", "password": "new-password-1"}
    assert fresh.post("/api/auth/login", json=login).status_code == 200


def test_admin_changes_and_deactivates_users(
    admin_client: TestClient, user_client: TestClient, user: User, admin: User
) -> None:
    url = f"/api/users/{user.id}"
    assert_problem(user_client.patch(url, json={"is_admin": True}), 403, "permission_denied")
    changed = admin_client.patch(url, json={"display_name": "Alice L.", "language": "zh"})
    assert changed.json()["display_name"] == "Alice L." and changed.json()["language"] == "zh"
    bad = admin_client.patch(url, json={"language": "fr", "password": "x"})
    pointers = {e["pointer"] for e in assert_problem(bad, 422, "validation_failed")["errors"]}
    assert pointers == {"/language", "/password"}
    assert admin_client.patch(url, json={"is_active": False}).json()["is_active"] is False
    assert_problem(user_client.get("/api/auth/me"), 401, "not_authenticated")
    self_demote = admin_client.patch(f"/api/users/{admin.id}", json={"is_admin": False})
    assert_problem(self_demote, 422, "validation_failed")
    assert_problem(admin_client.patch("/api/users/999", json={}), 404, "not_found")
