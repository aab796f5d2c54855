"""Helpers for the sign-in hardening tests: reading the audit log and session rows."""

from __future__ import annotations

import html
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient
from starlette.types import ASGIApp

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free port; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(200):
        if server.started:
            break
        ready.wait(0.05)
    if not server.started:
        server.should_exit = True
        raise RuntimeError("the uvicorn server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
