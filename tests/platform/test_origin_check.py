"""Writes authenticated by the session cookie must come from Jimu's own origin."""

from __future__ import annotations

from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, assert_problem

from jimu.platform.auth.origin import origin_of
from jimu.platform.models import User
from jimu.platform.settings import Settings

ME = "/api/auth/me"
WRITE = "/api/auth/logout-everywhere"
HTML = {"Accept": "text/html"}
ORIGIN = "http://testserver"


def signed_in(client: TestClient) -> TestClient:
    """A client signed in by cookie with the CSRF header, but no Origin of its own."""
    response = client.post(
        "/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def test_a_cookie_write_from_another_site_is_refused(client: TestClient, admin: User) -> None:
    signed_in(client)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Referer": "https://evil.example/page"},
        {},
    ):
        body = assert_problem(client.post(WRITE, headers=headers), 403, "permission_denied")
        assert body["reason"] == "origin"
        assert "Origin" in body["detail"] or "Referer" in body["detail"]
    assert client.get(ME).status_code == 200  # nothing was done: still signed in


def test_a_cookie_write_from_jimus_own_pages_passes(client: TestClient, admin: User) -> None:
    signed_in(client)
    assert client.post(WRITE, headers={"Referer": "http://testserver/account/security"}).is_success
    signed_in(client)
    assert client.post(WRITE, headers={"Origin": "http://TestServer:80"}).is_success


def test_the_base_url_origin_counts_as_our_own(
    client: TestClient, admin: User, settings: Settings
) -> None:
    settings.base_url = "https://jimu.example.com/"
    signed_in(client)
    assert client.post(WRITE, headers={"Origin": "https://jimu.example.com"}).is_success


def test_the_login_form_from_another_site_is_refused(client: TestClient, admin: User) -> None:
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": "x"},
        headers={**HTML, "Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "evil.example" in response.text


def test_origins_are_compared_in_their_normal_form() -> None:
    assert origin_of("HTTPS://Jimu.Example.com:443/x?y") == "https://jimu.example.com"
    assert origin_of("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert origin_of("http://[::1]:8080") == "http://[::1]:8080"
    assert origin_of("null") is None
    assert origin_of("file:///etc/passwd") is None
    assert origin_of("http://host:99999") is None
