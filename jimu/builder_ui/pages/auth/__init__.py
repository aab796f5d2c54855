"""Signing in and out, single sign-on (OIDC) and the account's security page."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.auth import account_security, oidc, sign_in

router = APIRouter(include_in_schema=False)
for _module in (
    sign_in,
    oidc,
    account_security,
):
    router.include_router(_module.router)

__all__ = ["router"]
