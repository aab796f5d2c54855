"""The login and logout pages, the language switch and error pages."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML, csrf_of, page_login, text_of
from platform_testing import ADMIN_PASSWORD, send_origin

from jimu.builder_ui.pages.auth.sign_in import LOGIN_CSRF_COOKIE, safe_next
from jimu.builder_ui.pages.records import apps as app_routes
from jimu.builder_ui.pages.shell.language import LANG_COOKIE
from jimu.platform.auth.sessions import COOKIE_NAME
from jimu.platform.models import User
from jimu.platform.state import Platform


def test_the_login_page_has_a_csrf_protected_form(client: TestClient) -> None:
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'name="username"' in page.text and 'type="password"' in page.text
    assert csrf_of(page.text) == client.cookies[LOGIN_CSRF_COOKIE]
    assert "/static/css/jimu.css" in page.text


def test_signing_in_sets_the_session_and_goes_to_next(client: TestClient, admin: User) -> None:
    response = page_login(client, "admin", ADMIN_PASSWORD, next_url="/apps?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/apps?x=1"
    assert COOKIE_NAME in response.cookies
    assert client.get("/login", headers=HTML, follow_redirects=False).status_code == 303


def test_a_wrong_password_shows_the_form_again_with_a_message(
    client: TestClient, admin: User
) -> None:
    response = page_login(client, "admin", "wrong-password")
    assert response.status_code == 401
    assert "The username or password is wrong." in text_of(response.text)
    assert 'value="admin"' in response.text
    assert COOKIE_NAME not in response.cookies


def test_a_login_post_without_the_forms_token_is_refused(client: TestClient, admin: User) -> None:
    send_origin(client)
    client.get("/login", headers=HTML)
    response = client.post(
        "/login",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": "forged"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "expired" in text_of(response.text)
    assert COOKIE_NAME not in response.cookies


def test_next_never_leaves_the_site() -> None:
    assert safe_next("https://evil.example/") == "/apps"
    assert safe_next("//evil.example/") == "/apps"
    assert safe_next("/\\evil.example") == "/apps"
    assert safe_next(None) == "/apps"
    assert safe_next("/apps/marketing/lead?q=1") == "/apps/marketing/lead?q=1"


def test_anonymous_visitors_are_sent_to_login_with_next(client: TestClient) -> None:
    response = client.get("/apps/marketing/lead?q=wang", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/apps/marketing/lead%3Fq%3Dwang"


def test_logout_needs_the_csrf_token_and_ends_the_session(client: TestClient, admin: User) -> None:
    page_login(client, "admin", ADMIN_PASSWORD)
    refused = client.post("/logout", headers=HTML, follow_redirects=False)
    assert refused.status_code == 403
    assert "form expired" in text_of(refused.text)
    apps = client.get("/apps", headers=HTML)
    response = client.post(
        "/logout", data={"csrf_token": csrf_of(apps.text)}, headers=HTML, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?notice=signed_out"
    signed_out = client.get("/login?notice=signed_out", headers=HTML)
    assert "You have signed out." in text_of(signed_out.text)
    assert client.get("/apps", headers=HTML, follow_redirects=False).status_code == 303


def test_lang_switches_to_chinese_and_sticks(client: TestClient) -> None:
    page = client.get("/login?lang=zh", headers=HTML)
    assert "登录" in page.text and '<html lang="zh-CN">' in page.text
    assert page.cookies[LANG_COOKIE] == "zh"
    assert "登录你的积木工作台" in client.get("/login", headers=HTML).text
    assert "Sign in to your Jimu workspace" in client.get("/login?lang=en", headers=HTML).text


def test_the_browser_language_is_used_when_nothing_else_says(client: TestClient) -> None:
    page = client.get("/login", headers={**HTML, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert "登录你的积木工作台" in page.text


def test_the_users_own_language_is_used(
    client: TestClient, admin: User, platform: Platform
) -> None:
    with platform.sessions() as db:
        stored = db.get(User, admin.id)
        assert stored is not None
        stored.language = "zh"
        db.commit()
    page_login(client, "admin", ADMIN_PASSWORD)
    assert "应用" in text_of(client.get("/apps", headers=HTML).text)


def test_unknown_pages_are_html_404s(client: TestClient) -> None:
    page = client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "This page does not exist." in text_of(page.text)


def test_api_errors_stay_problem_json(client: TestClient) -> None:
    response = client.get("/api/auth/me", headers=HTML)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_static_files_are_served(client: TestClient) -> None:
    css = client.get("/static/css/jimu.css")
    assert css.status_code == 200 and "--primary" in css.text
    assert client.get("/static/js/jimu.js").status_code == 200
    assert client.get("/static/vendor/trix/trix.umd.min.js").status_code == 200


def test_an_unexpected_failure_on_a_page_is_an_html_500(
    app: FastAPI, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> list[dict[str, object]]:
        raise RuntimeError("boom")

    monkeypatch.setattr(app_routes, "published_app_documents", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        page_login(client, "admin", ADMIN_PASSWORD)
        page = client.get("/apps", headers=HTML)
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Something went wrong on the server." in text_of(page.text)
    assert "boom" not in page.text
