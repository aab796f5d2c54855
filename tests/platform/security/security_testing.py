"""Helpers for the sign-in hardening tests: reading the audit log and session rows."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from live_server import free_port, serve
from platform_testing import send_origin

from jimu.platform.models import AuditEvent
from jimu.platform.state import Platform

STRONG_PASSWORD = "granite-kite-2026"
HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def page_login(client: TestClient, username: str, password: str) -> httpx.Response:
    send_origin(client)
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200, page.text
    data = {"username": username, "password": password, "csrf_token": csrf_of(page.text)}
    return client.post("/login", data=data, headers=HTML, follow_redirects=False)


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    without_code = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    without_tags = re.sub(r"<[^>]+>", " ", without_code)
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()


def audit_kinds(platform: Platform, username: str | None = None) -> list[str]:
    """The kinds of the audited events (oldest first), of one username if given."""
    query = sa.select(AuditEvent.kind).order_by(AuditEvent.id)
    if username is not None:
        query = query.where(AuditEvent.username == username)
    with platform.sessions() as db:
        return list(db.scalars(query))


def audit_events(platform: Platform, kind: str) -> list[dict[str, Any]]:
    query = sa.select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
    with platform.sessions() as db:
        return [
            {
                "actor_id": e.actor_id,
                "username": e.username,
                "ip": e.ip,
                "detail": dict(e.detail),
            }
            for e in db.scalars(query)
        ]


__all__ = ["free_port", "serve"]
