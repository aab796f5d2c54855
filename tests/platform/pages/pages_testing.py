"""Helpers for the page tests: signing in through the login page and posting forms."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from platform_testing import send_origin

from jimu.platform.db import begin_write
from jimu.platform.state import Platform

REPO = Path(__file__).resolve().parents[3]
MARKETING = REPO / "examples" / "marketing"
HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def import_marketing(platform: Platform) -> None:
    from jimu.platform import metadata_store as store

    with begin_write(platform.engine) as conn:
        store.import_folder(conn, MARKETING, publish=True)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def page_login(
    client: TestClient, username: str, password: str, next_url: str = ""
) -> httpx.Response:
    send_origin(client)
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200, page.text
    data = {"username": username, "password": password, "csrf_token": csrf_of(page.text)}
    if next_url:
        data["next"] = next_url
    return client.post("/login", data=data, headers=HTML, follow_redirects=False)


def post_form(
    client: TestClient, page_url: str, action: str, data: dict[str, Any], **kw: Any
) -> httpx.Response:
    """Open ``page_url`` for its CSRF token, then post ``data`` to ``action`` (no redirects)."""
    page = client.get(page_url, headers=HTML)
    assert page.status_code == 200, page.text
    body = {"csrf_token": csrf_of(page.text), **data}
    return client.post(action, data=body, headers=HTML, follow_redirects=False, **kw)


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed (for asserting what a user reads)."""
    without_code = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    without_tags = re.sub(r"<[^>]+>", " ", without_code)
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()
