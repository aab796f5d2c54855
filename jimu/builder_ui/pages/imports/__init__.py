"""The import wizard: upload, map columns, preview, import."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.imports import wizard

router = APIRouter(include_in_schema=False)
for _module in (wizard,):
    router.include_router(_module.router)

__all__ = ["router"]
