"""The admin pages: audit log, organisation, roles and sharing rules, API tokens."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.admin import audit, organisation, roles, tokens

router = APIRouter(include_in_schema=False)
for _module in (
    audit,
    organisation,
    roles,
    tokens,
):
    router.include_router(_module.router)

__all__ = ["router"]
