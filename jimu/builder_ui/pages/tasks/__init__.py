"""The task inbox (``/tasks``) and the approval page (``/tasks/{id}``, and
``/tasks/instances/{id}`` for an instance's initiator and the people it was copied to): see
docs/process.md, "The task inbox and the approval page"."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.builder_ui.pages.tasks import approval_page, inbox_page, monitor_page, start

router = APIRouter(include_in_schema=False)
for _module in (inbox_page, start, approval_page, monitor_page):
    router.include_router(_module.router)

__all__ = ["router"]
