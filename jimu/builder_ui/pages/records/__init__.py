"""The runtime pages of an app: its home, record lists, forms, record pages, the recycle bin.

Order matters: fixed paths (dashboards, lookup, recycle bin, export, press, new) come before
``/{record_id}``."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.records import (
    apps,
    attachments,
    calendar_page,
    dashboard_page,
    export,
    kanban_page,
    list_page,
    lookup,
    my_views,
    pool_page,
    record_form,
    record_page,
    recycle_bin,
    rule_buttons,
    sharing,
)

router = APIRouter(include_in_schema=False)
for _module in (
    apps,
    dashboard_page,
    lookup,
    recycle_bin,
    export,
    kanban_page,
    calendar_page,
    my_views,
    rule_buttons,
    pool_page,
    sharing,
    record_form,
    record_page,
    attachments,
    list_page,
):
    router.include_router(_module.router)

__all__ = ["router"]
