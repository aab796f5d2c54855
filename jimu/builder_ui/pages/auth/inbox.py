"""``/inbox``: the signed-in user's notifications (docs/notifications.md): mark one or all
read, open the record one is about. The header's unread count comes from
``/api/notifications/unread-count`` (static/js/jimu.js)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse

from jimu.builder_ui.pages.shell.rendering import Crumb, render
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.platform.api.notifications import NotificationId, NotificationOut
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.notify import inbox

router = APIRouter()
PAGE = "/inbox"
SHOWN = 100


@router.get(PAGE, response_class=HTMLResponse)
def inbox_page(request: Request, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    user_id = viewer.signed_in_user.id
    with platform.engine.connect() as conn:
        rows = inbox.list_notifications(conn, user_id, limit=SHOWN)
        unread = inbox.unread_count(conn, user_id)
    title = viewer.t("inbox.title")
    return render(
        request,
        viewer,
        "account/inbox.html",
        crumbs=[Crumb(title)],
        title=title,
        notifications=[NotificationOut.of(row) for row in rows],
        unread=unread,
    )


@router.post(PAGE + "/{notification_id}/read")
def read_one(
    notification_id: NotificationId, viewer: SignedIn, platform: PlatformDep
) -> RedirectResponse:
    with begin_write(platform.engine) as conn:
        inbox.mark_read(conn, viewer.signed_in_user.id, notification_id)
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{notification_id}/open")
def open_one(
    notification_id: NotificationId, viewer: SignedIn, platform: PlatformDep
) -> RedirectResponse:
    """Mark the notification read and go to the record it is about (or back to the inbox)."""
    with begin_write(platform.engine) as conn:
        row = inbox.mark_read(conn, viewer.signed_in_user.id, notification_id)
    return RedirectResponse(NotificationOut.of(row).link or PAGE, status_code=303)


@router.post(PAGE + "/read-all")
def read_all(viewer: SignedIn, platform: PlatformDep) -> RedirectResponse:
    with begin_write(platform.engine) as conn:
        inbox.mark_all_read(conn, viewer.signed_in_user.id)
    return RedirectResponse(PAGE, status_code=303)
