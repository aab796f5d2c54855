"""Signing in and out, single sign-on (OIDC), the account's security page (with the away
dates) and the notifications inbox."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.auth import (
    account_away,
    account_security,
    inbox,
    invitation,
    oidc,
    sign_in,
)

router = APIRouter(include_in_schema=False)
for _module in (
    sign_in,
    oidc,
    account_security,
    account_away,
    inbox,
    invitation,
):
    router.include_router(_module.router)

__all__ = ["router"]
