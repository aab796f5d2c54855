"""The single sign-on test rig: Jimu and a local OpenID Connect provider, both served by
uvicorn (the ``sso`` fixture in conftest.py), and a browser-like httpx client."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import sqlalchemy as sa
from oidc_provider import LocalProvider
from security_testing import HTML

from jimu.platform.models import User
from jimu.platform.state import Platform

ALICE = {
    "sub": "248289761001",
    "preferred_username": "alice.w",
    "name": "Alice Wang",
    "email": "alice@example.com",
    "email_verified": True,
}


@dataclass
class Sso:
    jimu: str
    provider: LocalProvider
    platform: Platform

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.jimu, follow_redirects=True, headers=HTML, timeout=20)

    def sign_in(self, web: httpx.Client, next_url: str = "/apps") -> httpx.Response:
        return web.get("/login/oidc", params={"next": next_url})

    def user(self, username: str) -> User | None:
        with self.platform.sessions() as db:
            return db.scalars(sa.select(User).where(User.username == username)).one_or_none()
