"""``/design/apps/{app}/flows/{flow}/monitor``: the flow monitor for its designers — the
published flow drawn with each task node's open tasks and average time, the instances by
state, the time per node (count, average, 90th percentile), the tasks waiting longest and the
open incidents with a Resume button, and the running instances on older versions with a form
that maps their occupied nodes to the published version's, tries it (dry run) and migrates
them (docs/process.md, "Monitoring", "Migrating running instances")."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.records.scope import app_label
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.builder_ui.pages.tasks.timeline import user_names
from jimu.engines.process.layout import layout
from jimu.errors import Conflict, JimuError, ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.api.params import id_path
from jimu.platform.api.process_monitor import require_flow, require_monitor
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import utcnow
from jimu.platform.process import migrate, monitor
from jimu.platform.process.flows import flow_version
from jimu.platform.process.instances import INSTANCES
from jimu.platform.state import Platform

router = APIRouter()
PAGE = "/design/apps/{app}/flows/{flow}/monitor"
IncidentId = Annotated[int, id_path("process incident")]
STATUSES = ("running", "completed", "rejected", "cancelled")


def duration(viewer: Viewer, seconds: float | None) -> str:
    """``3 d 4 h``, ``2 h 5 min``, ``40 s`` (units in the viewer's language)."""
    if seconds is None:
        return "—"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        (days, "tasks.unit.d"),
        (hours, "tasks.unit.h"),
        (minutes, "tasks.unit.min"),
        (secs, "tasks.unit.s"),
    ]
    shown = [(n, key) for n, key in parts if n][:2] or [(0, "tasks.unit.s")]
    return " ".join(f"{n} {viewer.t(key)}" for n, key in shown)


def _document(conn: sa.Connection, app: str, flow: str) -> dict[str, Any]:
    """The published flow, else its newest draft (a flow not published yet has no instances,
    but its picture still helps)."""
    live = store.published(conn, app, "flow", flow)
    if live is not None:
        return dict(live.body)
    return dict(store.get(conn, app, "flow", flow).body)


def _page(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    app: str,
    flow: str,
    *,
    notice: Notice | None = None,
    status: int = 200,
    migration: dict[str, Any] | None = None,
    chosen: dict[str, str] | None = None,
) -> HTMLResponse:
    user = viewer.signed_in_user
    with platform.engine.connect() as conn:
        require_monitor(platform, conn, app, user)
        require_flow(conn, app, flow)
        doc = _document(conn, app, flow)
        data = monitor.flow_monitor(conn, app, flow, utcnow())
        people = {u for t in data["open_tasks"] for u in t["users"]}
        names = user_names(conn, people)
        label = app_label(platform.apps.records(conn, app).model, viewer)
        older = _older(conn, viewer, app, flow, doc, chosen or {})
    node_data = {str(n.get("id")): n for n in doc.get("nodes", [])}

    def node_label(node: str) -> str:
        return viewer.label(node_data.get(node, {}).get("label"), node)

    notes = {
        n["node"]: viewer.t(
            "tasks.monitor.note", open=n["open"], average=duration(viewer, n["average_seconds"])
        )
        for n in data["nodes"]
    }
    states = {n["node"]: "waiting" if n["open"] else "done" for n in data["nodes"]}
    flow_label = viewer.label(doc.get("label"), flow)
    return render(
        request,
        viewer,
        "tasks/monitor.html",
        status=status,
        crumbs=[
            Crumb(label, f"/design/apps/{app}"),
            Crumb(viewer.t("designer.flow.list_title"), f"/design/apps/{app}/flows"),
            Crumb(flow_label, f"/design/apps/{app}/flows/{flow}"),
            Crumb(viewer.t("tasks.monitor.title")),
        ],
        notice=notice,
        title=f"{viewer.t('tasks.monitor.title')} · {flow_label}",
        app=app,
        flow=flow,
        picture=layout(doc),
        states=states,
        notes=notes,
        statuses=[(s, data["instances"].get(s, 0)) for s in STATUSES],
        total=data["total"],
        nodes=[
            {
                **n,
                "label": node_label(n["node"]),
                "average": duration(viewer, n["average_seconds"]),
                "p90": duration(viewer, n["p90_seconds"]),
            }
            for n in data["nodes"]
        ],
        open_tasks=[
            {
                **t,
                "label": node_label(t["node"]),
                "waiting": duration(viewer, t["waiting_seconds"]),
                "people": [names.get(u, f"#{u}") for u in t["users"]],
            }
            for t in data["open_tasks"]
        ],
        incidents=data["incidents"],
        older=older,
        migration=migration,
        self_url=PAGE.format(app=app, flow=flow),
    )


def _older(
    conn: sa.Connection,
    viewer: Viewer,
    app: str,
    flow: str,
    doc: dict[str, Any],
    chosen: dict[str, str],
) -> list[dict[str, Any]]:
    """Per older version with running instances: the count and, per node holding a token, the
    published version's nodes of the same kind to map it to (the same id first)."""
    found = migrate.older_versions(conn, app, flow)
    new_nodes = [n for n in doc.get("nodes", []) if isinstance(n, dict)]
    shown = []
    for entry in found:
        old_doc, _ = flow_version(conn, app, flow, entry["version"])
        old_nodes = {str(n["id"]): n for n in old_doc.get("nodes", [])}
        rows = []
        for node, count in entry["nodes"].items():
            old = old_nodes.get(node, {})
            options = [
                (str(n["id"]), viewer.label(n.get("label"), str(n["id"])))
                for n in new_nodes
                if n.get("type") == old.get("type")
            ]
            options.sort(key=lambda o: o[0] != node)  # the same id first: the default
            rows.append(
                {
                    "node": node,
                    "label": viewer.label(old.get("label"), node),
                    "count": count,
                    "options": options,
                    "selected": chosen.get(node) or (options[0][0] if options else ""),
                }
            )
        shown.append({**entry, "rows": rows})
    return shown


@router.get(PAGE, response_class=HTMLResponse)
def monitor_page(
    request: Request, app: str, flow: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    done = request.query_params.get("resumed")
    notice = Notice("success", viewer.t("tasks.monitor.resumed", id=done)) if done else None
    return _page(request, viewer, platform, app, flow, notice=notice)


@router.post(PAGE + "/incidents/{incident_id}/resume", response_class=HTMLResponse)
def resume(
    request: Request,
    app: str,
    flow: str,
    incident_id: IncidentId,
    viewer: SignedIn,
    platform: PlatformDep,
    posted: PostedForm,
) -> Response:
    """Resume an incident, then back to the monitor with what happened."""
    del posted  # the CSRF token is checked by PostedForm
    problem: str | None = None
    try:
        with begin_write(platform.engine) as conn:
            require_monitor(platform, conn, app, viewer.signed_in_user)
            row = monitor.incident(conn, incident_id)
            owner = conn.execute(
                sa.select(INSTANCES.c.app, INSTANCES.c.flow).where(
                    INSTANCES.c.id == row.instance_id
                )
            ).first()
            if owner is None or (owner.app, owner.flow) != (app, flow):
                raise Conflict(viewer.t("tasks.monitor.not_this_flow", id=incident_id))
            records = platform.apps.records(conn, app)
            try:
                monitor.resume_incident(conn, records, incident_id, utcnow(), platform=platform)
            except monitor.IncidentFailedAgain as failed:
                problem = viewer.t("tasks.monitor.failed_again", id=incident_id, error=failed.error)
    except JimuError as error:
        if error.status in (401, 403):
            raise
        problem = error.message
    if problem is not None:
        notice = Notice("error", problem)
        return _page(request, viewer, platform, app, flow, notice=notice, status=409)
    target = PAGE.format(app=app, flow=flow)
    return RedirectResponse(f"{target}?resumed={incident_id}", status_code=303)


@router.post(PAGE + "/migrate", response_class=HTMLResponse)
def migrate_form(
    request: Request,
    app: str,
    flow: str,
    viewer: SignedIn,
    platform: PlatformDep,
    posted: PostedForm,
) -> Response:
    """Try (``dry_run``) or carry out a migration of the instances of ``from_version`` to the
    published version with the mapping chosen (``map.<node>``); the page shows per instance
    what happened or would."""
    user = viewer.signed_in_user
    with platform.engine.connect() as conn:
        require_monitor(platform, conn, app, user)
        require_flow(conn, app, flow)
    mapping = {
        str(key)[4:]: str(value)
        for key, value in posted.multi_items()
        if str(key).startswith("map.") and str(value)
    }
    dry_run = bool(posted.get("dry_run"))
    try:
        source = int(str(posted.get("from_version", "")))
    except ValueError:
        notice = Notice("error", viewer.t("tasks.migrate.no_version"))
        return _page(request, viewer, platform, app, flow, notice=notice, status=422)
    try:
        result = migrate.migrate_instances(
            platform, app, flow, source, None, mapping, utcnow(), dry_run=dry_run, by=user.id
        )
    except ValidationFailed as failed:
        notice = Notice("error", str(failed))
        return _page(
            request, viewer, platform, app, flow, notice=notice, status=422, chosen=mapping
        )
    key = "tasks.migrate.tried" if dry_run else "tasks.migrate.done"
    notice = Notice(
        "info" if dry_run else "success",
        viewer.t(key, migrated=result["migrated"], refused=result["refused"]),
    )
    return _page(
        request, viewer, platform, app, flow, notice=notice, migration=result, chosen=mapping
    )
