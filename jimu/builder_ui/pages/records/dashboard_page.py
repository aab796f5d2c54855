"""``/apps/{app}/dashboards/{name}``: a published dashboard for its reader (docs/reports.md,
"Dashboards"), and an app's home when the app document says ``"home": {"dashboard": name}``.

The server renders the shell (header, sidebar, crumbs) and hands the ``dashboard_view`` island
what it draws from: the items with their charts' visuals, the filters with their choices (a
select field's options, the people, the departments) and the run and drill-down API URLs. The
charts' data come from ``POST /api/apps/{app}/dashboards/{name}/run`` with the reader's scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.shell import boot_data
from jimu.builder_ui.pages.records.references import user_choices
from jimu.builder_ui.pages.records.scope import app_label, app_nav, load_app
from jimu.builder_ui.pages.shell.departments import department_choices
from jimu.builder_ui.pages.shell.rendering import Crumb, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.form.model import AppModel
from jimu.engines.report.dashboard import target_field
from jimu.engines.report.schema import RANGES
from jimu.platform import metadata_store as store
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.dependencies import PlatformDep
from jimu.platform.reports import require_reader
from jimu.platform.reports.dashboards import published_dashboard

router = APIRouter()
DESIGNER = "dashboard_view"
#: Charts whose rows are steps, cohorts or shares: no drill-down (docs/reports.md, "Results").
NO_DRILL = ("funnel", "cohort", "attribution")
ADDITIVE = ("count", "sum")


def _reports(conn: sa.Connection, app: str, dashboard: Mapping[str, Any]) -> dict[str, Any]:
    found = {}
    for item in dashboard.get("items") or []:
        name = str(item["report"])
        version = store.published(conn, app, "report", name)
        if version is not None:
            found[name] = dict(version.body)
    return found


def _options(
    model: AppModel, reports: Mapping[str, Any], items: list[Any], flt: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """A select filter's choices: the options of the field it applies to on the first chart
    that has it, labelled in the viewer's language by the caller."""
    for item in items:
        report = reports.get(str(item["report"]))
        if report is None:
            continue
        field = target_field(model, item, report, flt)
        entity = model.entities.get(str(report["dataset"]["entity"]))
        spec = entity.field(field) if entity is not None and field else None
        if spec is not None:
            return list(spec.spec.get("options") or [])
    return []


def _filters(
    conn: sa.Connection,
    model: AppModel,
    viewer: Viewer,
    dashboard: Mapping[str, Any],
    reports: Mapping[str, Any],
) -> list[dict[str, Any]]:
    items = list(dashboard.get("items") or [])
    found = []
    for flt in dashboard.get("filters") or []:
        kind = flt["type"]
        choices: list[dict[str, Any]] = []
        if kind == "select":
            choices = [
                {"value": o["value"], "label": viewer.label(o.get("label"), str(o["value"]))}
                for o in _options(model, reports, items, flt)
            ]
        elif kind == "user":
            choices = [{"value": u.id, "label": u.name} for u in user_choices(conn)]
        elif kind == "department":
            choices = [{"value": d.id, "label": d.path} for d in department_choices(conn)]
        found.append(
            {
                "name": flt["name"],
                "label": viewer.label(flt.get("label"), str(flt["name"])),
                "type": kind,
                "field": flt["field"],
                "default": flt.get("default"),
                "choices": choices,
            }
        )
    return found


def _items(
    viewer: Viewer, dashboard: Mapping[str, Any], reports: Mapping[str, Any]
) -> list[dict[str, Any]]:
    found = []
    for item in dashboard.get("items") or []:
        report = reports.get(str(item["report"])) or {}
        title = item.get("title") or report.get("label")
        found.append(
            {
                "id": item["id"],
                "report": item["report"],
                "title": viewer.label(title, str(item["report"])),
                **{k: item[k] for k in ("x", "y", "w", "h")},
                "visual": report.get("visual") or {"type": "table"},
                "additive": [
                    str(m["name"])
                    for m in report.get("measures") or []
                    if m.get("agg") in ADDITIVE and "name" in m
                ],
                "drillable": bool(report) and not any(report.get(k) for k in NO_DRILL),
            }
        )
    return found


def dashboard_data(
    conn: sa.Connection, records: GuardedRecords, viewer: Viewer, name: str
) -> dict[str, Any]:
    """What the island starts from (404 if the dashboard is not published)."""
    app = records.model.name
    dashboard = published_dashboard(conn, app, name)
    reports = _reports(conn, app, dashboard)
    api = f"/api/apps/{app}/dashboards/{name}"
    return {
        "app": app,
        "name": name,
        "label": viewer.label(dashboard.get("label"), name),
        "run_url": f"{api}/run",
        "drill_url": f"{api}/drill",
        "filters": _filters(conn, records.model, viewer, dashboard, reports),
        "items": _items(viewer, dashboard, reports),
        "ranges": list(RANGES),
        "cross_filter": dashboard.get("cross_filter", True) is not False,
    }


def home_dashboard(
    conn: sa.Connection, records: GuardedRecords, viewer: Viewer
) -> dict[str, Any] | None:
    """The island's data of the app's home dashboard, if it names a published one."""
    home = records.model.spec.get("home")
    name = home.get("dashboard") if isinstance(home, Mapping) else None
    if not name or store.published(conn, records.model.name, "dashboard", str(name)) is None:
        return None
    return dashboard_data(conn, records, viewer, str(name))


@router.get("/apps/{app}/dashboards/{name}", response_class=HTMLResponse)
def dashboard_page(
    request: Request, app: str, name: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        model, records = load_app(platform, conn, app, viewer)
        require_reader(records)
        data = dashboard_data(conn, records, viewer, name)
    label = app_label(model, viewer)
    return render(
        request,
        viewer,
        "apps/dashboard.html",
        crumbs=[Crumb(label, f"/apps/{app}"), Crumb(data["label"])],
        nav=app_nav(model, viewer, records=records, dashboard=name),
        title=data["label"],
        designer=DESIGNER,
        boot=boot_data(viewer, DESIGNER, data),
    )
