"""Public forms at ``/f/...``: the anonymous page, its submission and the thank-you page."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.public_forms import routes

router = APIRouter(include_in_schema=False)
for _module in (routes,):
    router.include_router(_module.router)

__all__ = ["router"]
