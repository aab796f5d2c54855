"""The ``/account/tokens`` page: list, create (secret shown once), revoke, errors, CSRF, zh."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD
from tokens_testing import (
    HTML,
    audit_events,
    bearer_client,
    csrf_of,
    page_sign_in,
    publish_notes,
    text_of,
)

from jimu.platform.models import User
from jimu.platform.state import Platform

PAGE = "/account/tokens"
SECRET = re.compile(r'<code id="token-secret">(jimu_[^<]+)</code>')


@pytest.fixture
def browser(
    app: FastAPI, admin: User, platform: Platform, crm: str, tmp_path: Path
) -> Iterator[TestClient]:
    publish_notes(platform, tmp_path / "more")
    with TestClient(app) as client:
        page_sign_in(client, "admin", ADMIN_PASSWORD)
        yield client


def create(client: TestClient, **data: object) -> tuple[int, str]:
    page = client.get(PAGE, headers=HTML)
    body = {"csrf_token": csrf_of(page.text), **data}
    response = client.post(PAGE, data=body, headers=HTML)
    return response.status_code, response.text


def test_the_user_menu_links_to_the_page(browser: TestClient) -> None:
    apps = browser.get("/apps", headers=HTML).text
    assert 'href="/account/tokens"' in apps
    page = browser.get(PAGE, headers=HTML)
    assert page.status_code == 200
    assert "You have no API tokens yet." in text_of(page.text)
    assert 'value="crm"' in page.text and 'value="notes"' in page.text


def test_create_shows_the_secret_once_and_lists_the_token(
    app: FastAPI, browser: TestClient, platform: Platform
) -> None:
    status, page = create(
        browser,
        name="nightly export",
        access="read",
        app_scope="some",
        apps=["notes"],
        expires="2099-12-31",
    )
    assert status == 200
    secret = SECRET.search(page)
    assert secret is not None
    assert "shown only this once" in text_of(page)
    row = re.search(r'<tr data-token="\d+">(.*?)</tr>', page, flags=re.S)
    assert row is not None
    cells = text_of(row.group(1))
    assert "nightly export Read only notes" in cells
    assert "2100-01-01" in cells  # works through the end of 2099-12-31 (UTC viewer)
    assert "Not yet Active" in cells
    # The secret works, within its scope, and is never shown again.
    caller = bearer_client(app, secret.group(1))
    assert caller.get("/api/apps/notes/entities/note/records").status_code == 200
    assert caller.get("/api/apps/crm/entities/lead/records").status_code == 403
    again = browser.get(PAGE, headers=HTML).text
    assert secret.group(1) not in again and 'id="token-secret"' not in again
    assert "Not yet" not in text_of(again)  # last used is now shown
    assert len(audit_events(platform, "token_created")) == 1


def test_bad_input_is_shown_next_to_the_fields(browser: TestClient) -> None:
    status, page = create(browser, name="", access="write", app_scope="some", expires="2001-01-01")
    assert status == 422
    text = text_of(page)
    assert "The token was not created" in text
    assert "Give the token a name of 1-200 characters." in text
    assert "Choose at least one app" in text
    assert "The expiry must be in the future." in text
    assert 'id="token-name-error"' in page and 'id="token-apps-error"' in page
    assert 'id="token-expires-error"' in page
    assert 'value="some" checked' in page  # the form keeps what was chosen
    assert "You have no API tokens yet." in text
    status, page = create(browser, name="", expires="31/12/2099")
    assert status == 422
    assert "“31/12/2099” is not a date" in text_of(page)
    assert "Give the token a name" in text_of(page)  # reported together
    status, page = create(browser, name="fine", expires="31/12/2099")
    assert status == 422 and "is not a date" in text_of(page)
    assert "You have no API tokens yet." in text_of(page)  # nothing was kept


def test_revoke_button(browser: TestClient, platform: Platform) -> None:
    create(browser, name="old")
    page = browser.get(PAGE, headers=HTML).text
    action = re.search(r'action="(/account/tokens/\d+/revoke)"', page)
    assert action is not None
    response = browser.post(
        action.group(1), data={"csrf_token": csrf_of(page)}, headers=HTML, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == PAGE
    after = browser.get(PAGE, headers=HTML).text
    assert "Revoked" in text_of(after)
    assert "/revoke" not in after
    assert len(audit_events(platform, "token_revoked")) == 1


def test_forms_need_the_csrf_token(browser: TestClient) -> None:
    response = browser.post(PAGE, data={"name": "x"}, headers=HTML)
    assert response.status_code == 403
    assert "You have no API tokens yet." in text_of(browser.get(PAGE, headers=HTML).text)


def test_a_token_cannot_use_the_page_to_create_tokens(app: FastAPI, browser: TestClient) -> None:
    _, page = create(browser, name="full")
    secret = SECRET.search(page)
    assert secret is not None
    caller = bearer_client(app, secret.group(1))
    response = caller.post(PAGE, data={"name": "child"})
    assert response.status_code == 403
    assert len(re.findall(r"<tr data-token=", browser.get(PAGE, headers=HTML).text)) == 1


def test_the_page_in_chinese(browser: TestClient) -> None:
    create(browser, name="脚本", access="read")
    page = browser.get(PAGE + "?lang=zh", headers=HTML).text
    text = text_of(page)
    for words in ("API 令牌", "新建令牌", "只读", "所有应用", "尚未使用", "吊销"):
        assert words in text
