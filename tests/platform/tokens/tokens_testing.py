"""Helpers for the API-token tests: a second published app, and making tokens."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import send_origin

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import AuditEvent
from jimu.platform.state import Platform

NOTES_APP: dict[str, Any] = {
    "kind": "app",
    "name": "notes",
    "label": {"en": "Notes", "zh": "笔记"},
    "menu": ["note"],
}
NOTE: dict[str, Any] = {
    "kind": "entity",
    "name": "note",
    "label": {"en": "Note", "zh": "笔记"},
    "title_field": "title",
    "fields": [{"name": "title", "type": "text", "required": True}],
}


def publish_notes(platform: Platform, root: Path) -> str:
    """Publish the one-entity app ``notes`` (beside ``crm``, to test app limits)."""
    folder = root / "notes"
    (folder / "entities").mkdir(parents=True, exist_ok=True)
    (folder / "app.json").write_text(json.dumps(NOTES_APP), encoding="utf-8")
    (folder / "entities" / "note.json").write_text(json.dumps(NOTE), encoding="utf-8")
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, folder, publish=True)
    return "notes"


def make_token(client: TestClient, **body: Any) -> tuple[str, dict[str, Any]]:
    """Create a token through the API with ``client`` (signed in by cookie)."""
    response = client.post("/api/auth/tokens", json={"name": "script", **body})
    assert response.status_code == 201, response.text
    created = response.json()
    return str(created["token"]), created


def bearer_client(app: FastAPI, token: str) -> TestClient:
    """A client without cookies that authenticates with ``token``."""
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def audit_events(platform: Platform, kind: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        query = sa.select(AuditEvent.__table__).where(AuditEvent.kind == kind)
        return [dict(row._mapping) for row in conn.execute(query.order_by(AuditEvent.id))]


HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def page_sign_in(client: TestClient, username: str, password: str) -> None:
    """Sign ``client`` in through the login page, as a browser does."""
    send_origin(client)
    page = client.get("/login", headers=HTML)
    data = {"username": username, "password": password, "csrf_token": csrf_of(page.text)}
    response = client.post("/login", data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    without_code = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", without_code))).strip()
