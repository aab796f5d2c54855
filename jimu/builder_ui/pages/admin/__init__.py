"""The admin pages: audit log, organisation, roles and sharing rules, API tokens, sign-in
throttling."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.admin import (
    audit,
    org_designer,
    organisation,
    roles,
    throttles,
    tokens,
)

router = APIRouter(include_in_schema=False)
for _module in (
    audit,
    organisation,
    org_designer,
    roles,
    tokens,
    throttles,
):
    router.include_router(_module.router)

__all__ = ["router"]
