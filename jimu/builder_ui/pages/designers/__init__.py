"""The designers' pages: a server-rendered shell around a Vue island per designer (see
:mod:`.shell` and docs/builder.md)."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.designers import (
    app_designer,
    dashboard_designer,
    decision_table_designer,
    entity_designer,
    flow_designer,
    form_designer,
    report_designer,
    role_designer,
    rule_designer,
    view_designer,
)

router = APIRouter(include_in_schema=False)
for _module in (
    app_designer,
    entity_designer,
    form_designer,
    role_designer,
    rule_designer,
    view_designer,
    decision_table_designer,
    report_designer,
    dashboard_designer,
    flow_designer,
):
    router.include_router(_module.router)

__all__ = ["router"]
