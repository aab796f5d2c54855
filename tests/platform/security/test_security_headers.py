"""Security headers: a Content-Security-Policy with a fresh nonce on pages, no framing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, sign_in

from jimu.platform.models import User

HTML = {"Accept": "text/html"}
_NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)'")


def test_every_page_has_a_strict_policy_with_its_own_nonce(client: TestClient, admin: User) -> None:
    nonces = []
    for _ in range(2):
        page = client.get("/login", headers=HTML)
        policy = page.headers["content-security-policy"]
        found = _NONCE.search(policy)
        assert found, policy
        nonces.append(found.group(1))
        assert f'<meta name="csp-nonce" content="{found.group(1)}">' in page.text
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
    assert nonces[0] != nonces[1]


def test_signed_in_pages_and_error_pages_have_it_too(client: TestClient, admin: User) -> None:
    sign_in(client, "admin", ADMIN_PASSWORD)
    for url, status in (("/apps", 200), ("/apps/nope", 404), ("/account/security", 200)):
        page = client.get(url, headers=HTML)
        assert page.status_code == status
        assert "script-src 'self' 'nonce-" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"


def test_api_answers_may_not_be_framed_either(client: TestClient, admin: User) -> None:
    for response in (client.get("/api/health"), client.get("/api/auth/me")):
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
