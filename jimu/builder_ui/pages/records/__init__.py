"""The runtime pages of an app: its home, record lists, forms, record pages, the recycle bin.

Order matters: fixed paths (lookup, recycle bin, export, new) come before ``/{record_id}``."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.records import (
    apps,
    attachments,
    export,
    list_page,
    lookup,
    record_form,
    record_page,
    recycle_bin,
    sharing,
)

router = APIRouter(include_in_schema=False)
for _module in (
    apps,
    lookup,
    recycle_bin,
    export,
    sharing,
    record_form,
    record_page,
    attachments,
    list_page,
):
    router.include_router(_module.router)

__all__ = ["router"]
