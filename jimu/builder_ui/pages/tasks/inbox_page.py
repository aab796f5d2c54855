"""``/tasks``: the signed-in user's task inbox in four tabs (my to-dos, done by me, initiated
by me, copied to me), filtered by app, flow and date; bulk approval of the selected to-dos,
each its own step, with the tasks that could not be approved listed by task."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.builder_ui.pages.tasks.actions import approve_task, problem_text
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import utcnow
from jimu.platform.process import task_inbox
from jimu.platform.process.task_inbox import TABS, BulkResult, Filters, Labels
from jimu.platform.state import Platform

router = APIRouter()
PAGE = "/tasks"


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def filters_of(params: Any) -> Filters:
    """The filters in the query string (a malformed date is ignored)."""
    return Filters(
        app=(params.get("app") or None),
        flow=(params.get("flow") or None),
        since=_day(params.get("since")),
        until=_day(params.get("until")),
    )


def _shown(
    conn: Any, viewer: Viewer, rows: list[dict[str, Any]], labels: Labels
) -> list[dict[str, Any]]:
    """The rows with the flow's and node's labels in the viewer's language and their link."""
    shown = []
    now = utcnow()
    for row in rows:
        doc = labels.doc(conn, row["app"], row["flow"], row["flow_version"])
        nodes = {n.get("id"): n for n in doc.get("nodes", [])}
        node = nodes.get(row.get("node"), {})
        link = f"/tasks/{row['id']}" if "id" in row else f"/tasks/instances/{row['instance_id']}"
        shown.append(
            {
                **row,
                "flow_label": viewer.label(doc.get("label"), row["flow"]),
                "node_label": viewer.label(node.get("label"), str(row.get("node") or "")),
                "link": link,
                "when": row.get("created_at") or row.get("started_at"),
                "done_at": row.get("acted_at") or row.get("completed_at") or row.get("ended_at"),
                "overdue": row.get("status") == "open"
                and row.get("due_at") is not None
                and row["due_at"] <= now,
            }
        )
    return shown


def render_inbox(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    *,
    bulk: BulkResult | None = None,
    status: int = 200,
) -> HTMLResponse:
    tab = request.query_params.get("tab", "todo")
    if tab not in TABS:
        tab = "todo"
    filters = filters_of(request.query_params)
    user_id = viewer.signed_in_user.id
    with platform.engine.connect() as conn:
        rows = _shown(conn, viewer, task_inbox.rows_of(conn, tab, user_id, filters), Labels())
        counts = task_inbox.counts(conn, user_id, filters)
        choices = task_inbox.apps_and_flows(conn, user_id)
    notice = None
    if bulk is not None:
        text = viewer.t("tasks.bulk_done", approved=len(bulk.approved), failed=len(bulk.failed))
        notice = Notice("warning" if bulk.failed else "success", text)
    title = viewer.t("tasks.title")
    query = {
        k: v for k, v in request.query_params.items() if k in ("app", "flow", "since", "until")
    }
    return render(
        request,
        viewer,
        "tasks/inbox.html",
        status=status,
        crumbs=[Crumb(title)],
        notice=notice,
        title=title,
        tab=tab,
        tabs=TABS,
        rows=rows,
        counts=counts,
        filters=filters,
        apps=sorted({app for app, _ in choices}),
        flows=sorted({flow for app, flow in choices if not filters.app or app == filters.app}),
        query=query,
        bulk=bulk,
    )


@router.get(PAGE, response_class=HTMLResponse)
def tasks_page(request: Request, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    return render_inbox(request, viewer, platform)


@router.post(PAGE + "/bulk-approve", response_class=HTMLResponse)
def bulk_approve(
    request: Request, viewer: SignedIn, platform: PlatformDep, posted: PostedForm
) -> HTMLResponse:
    """Approve each selected to-do in its own transaction; the inbox again with what failed."""
    ids: list[int] = []
    for value in posted.getlist("task_id"):
        text = str(value)
        if text.isdigit() and 0 < int(text) < 2**63:
            ids.append(int(text))
    comment = str(posted.get("comment") or "").strip()[:2000] or None
    user = viewer.signed_in_user
    result = task_inbox.approve_each(
        ids,
        lambda task_id: approve_task(platform, user, task_id, comment),
        lambda problem: problem_text(viewer, problem),
    )
    return render_inbox(request, viewer, platform, bulk=result)
