"""``/admin/audit``: administrators browse and filter the security audit log.

The filter form is a GET, so a filtered view is a link; times are shown, and bare dates in
the filter read, in the viewer's time zone. "Older events" pages by event id (keyset).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import PermissionDenied, ValidationFailed
from jimu.platform.dependencies import PlatformDep
from jimu.platform.security.audit_log import EVENT_KINDS
from jimu.platform.security.audit_query import AuditEntry, AuditPage, find_events, parse_filter

router = APIRouter()
FILTER_KEYS = ("kind", "actor", "username", "app", "since", "until")


def kind_label(viewer: Viewer, kind: str) -> str:
    key = f"audit.kind.{kind}"
    label = viewer.t(key)
    return kind if label == key else label


def entry_view(viewer: Viewer, entry: AuditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "at": entry.at.astimezone(viewer.time_zone).strftime("%Y-%m-%d %H:%M:%S"),
        "kind": entry.kind,
        "kind_label": kind_label(viewer, entry.kind),
        "actor": entry.actor or (f"#{entry.actor_id}" if entry.actor_id else ""),
        "username": entry.username or "",
        "ip": entry.ip or "",
        "app": entry.app or "",
        "detail": json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
        if entry.detail
        else "",
    }


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    if not viewer.signed_in_user.is_admin:
        raise PermissionDenied("Only administrators may do this.")
    query = request.query_params
    params = {key: query.getlist(key) for key in (*FILTER_KEYS, "before", "limit")}
    chosen = {key: (query.get(key) or "").strip() for key in FILTER_KEYS}
    notice = None
    status = 200
    try:
        wanted = parse_filter(params, viewer.time_zone)
        with platform.sessions() as db:
            page = find_events(db, wanted)
    except ValidationFailed as failed:
        problems = "; ".join(f"{e.pointer.lstrip('/')}: {e.message}" for e in failed.errors)
        notice = Notice("error", viewer.t("audit.bad_filter", problems=problems))
        page, status = AuditPage([], None), 422
    kept = [(key, value) for key, value in chosen.items() if value]
    older = None
    if page.next_before is not None:
        older = "/admin/audit?" + urlencode([*kept, ("before", str(page.next_before))])
    return render(
        request,
        viewer,
        "admin/audit.html",
        status=status,
        crumbs=[Crumb(viewer.t("audit.title"))],
        notice=notice,
        title=viewer.t("audit.title"),
        kinds=[(kind, kind_label(viewer, kind)) for kind in EVENT_KINDS],
        chosen=chosen,
        events=[entry_view(viewer, entry) for entry in page.events],
        older_url=older,
        newest_url=("/admin/audit?" + urlencode(kept)) if query.get("before") else None,
    )
