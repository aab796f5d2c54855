"""Helpers for platform tests; tests/platform is on sys.path, so `import platform_testing`."""

from __future__ import annotations

from typing import Any

import httpx

from jimu.platform.auth.users import create_user
from jimu.platform.models import User
from jimu.platform.state import Platform

ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "alice-password-1"


def add_user(platform: Platform, username: str, password: str, *, is_admin: bool = False) -> User:
    with platform.sessions() as db:
        created = create_user(db, username, password, is_admin=is_admin)
        db.commit()
        return created


def sign_in(client: httpx.Client, username: str, password: str) -> str:
    """Sign ``client`` in by cookie; its later requests carry the CSRF header and, as a
    browser's do, the site's ``Origin``. Returns the CSRF token."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    csrf = str(response.json()["csrf_token"])
    client.headers["X-CSRF-Token"] = csrf
    send_origin(client)
    return csrf


def send_origin(client: httpx.Client) -> None:
    """Let ``client``'s requests carry ``Origin: <its base URL>``, as a browser's writes do."""
    client.headers["Origin"] = str(client.base_url).rstrip("/")


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an application/problem+json error with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["errors"], list)
    return dict(body)
