"""``/design/apps/{app}/dashboards`` and ``.../dashboards/{name}``: the app's dashboards and the
dashboard designer of one (docs/reports.md, "The dashboard designer").

Who holds the ``reports`` design right (it covers ``report`` and ``dashboard`` documents) and
administrators may open them; the metadata API checks every save and publish again. The
designer boots with the app's published charts (the palette, each with its spec so it can be
drawn live) and, per entity those charts read, the fields a dashboard filter can use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.rights import require_designer
from jimu.builder_ui.pages.designers.shell import designer_page, editable_document
from jimu.builder_ui.pages.records.scope import app_label
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.form.model import AppModel
from jimu.engines.report.dashboard import (
    FILTER_FIELD_TYPES,
    GRID_COLUMNS,
    MAX_ITEMS,
    SYSTEM_FIELD_TYPES,
)
from jimu.engines.report.schema import RANGES
from jimu.errors import NotFound
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
NAME = re.compile(NAME_PATTERN)
KIND = "dashboard"
FILTERABLE = frozenset().union(*FILTER_FIELD_TYPES.values())


def _label(viewer: Viewer, label: Any, name: str) -> dict[str, str]:
    """A label in both languages (the viewer's words where the document has none)."""
    given = label if isinstance(label, Mapping) else {}
    shown = viewer.label(given, name)
    return {"en": str(given.get("en") or shown), "zh": str(given.get("zh") or shown)}


def filter_fields(model: AppModel, entity: str, viewer: Viewer) -> list[dict[str, Any]]:
    """The fields of ``entity`` a dashboard filter can apply to (own and system), with their
    type and, for selects, their options in order."""
    found: list[dict[str, Any]] = []
    entity_model = model.entities.get(entity)
    for field in entity_model.fields if entity_model is not None else ():
        if field.type not in FILTERABLE:
            continue
        described: dict[str, Any] = {
            "name": field.name,
            "type": field.type,
            "label": _label(viewer, field.label, field.name),
        }
        if field.type in FILTER_FIELD_TYPES["select"]:
            described["options"] = [
                {"value": o.get("value"), "label": _label(viewer, o.get("label"), str(o["value"]))}
                for o in field.get("options") or []
                if isinstance(o, Mapping) and "value" in o
            ]
        found.append(described)
    for name, kind in SYSTEM_FIELD_TYPES.items():
        word = viewer.t(f"system.{name}")
        found.append({"name": name, "type": kind, "label": {"en": word, "zh": word}})
    return found


def palette(
    conn: sa.Connection, app: str, model: AppModel, viewer: Viewer
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The app's published charts (name, label, visual, entity, spec) and the filterable
    fields of each entity they read."""
    charts: list[dict[str, Any]] = []
    fields: dict[str, list[dict[str, Any]]] = {}
    for doc in store.list_documents(conn, app, "report"):
        live = doc if doc.status == "published" else store.published(conn, app, "report", doc.name)
        if live is None:
            continue
        body = live.body
        entity = str((body.get("dataset") or {}).get("entity", ""))
        charts.append(
            {
                "name": live.name,
                "label": _label(viewer, body.get("label"), live.name),
                "visual": str((body.get("visual") or {}).get("type", "number")),
                "entity": entity,
                "spec": body,
            }
        )
        if entity not in fields:
            fields[entity] = filter_fields(model, entity, viewer)
    return charts, fields


def _document(conn: sa.Connection, app: str, name: str) -> dict[str, Any]:
    """The dashboard's newest version (draft, else published), or a new, empty one."""
    return editable_document(
        conn, app, KIND, name, lambda: {"kind": KIND, "name": name, "items": []}
    )


@router.get("/design/apps/{app}/dashboards", response_class=HTMLResponse)
def dashboard_list(
    request: Request, app: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, KIND)
        model = platform.apps.records(conn, app).model
        dashboards = [
            {
                "name": doc.name,
                "label": viewer.label(doc.body.get("label"), doc.name),
                "charts": len(doc.body.get("items") or []),
                "status": doc.status,
                "version": doc.version,
            }
            for doc in store.list_documents(conn, app, KIND)
        ]
    data = {
        "mode": "list",
        "app": app,
        "dashboards": dashboards,
        "designer_url": f"/design/apps/{app}/dashboards/",
        "reports_url": f"/design/apps/{app}/reports",
    }
    title = viewer.t("designer.dashboard.list_title")
    crumbs = [Crumb(app_label(model, viewer), f"/design/apps/{app}"), Crumb(title)]
    return designer_page(request, viewer, KIND, title=title, crumbs=crumbs, data=data)


@router.get("/design/apps/{app}/dashboards/{name}", response_class=HTMLResponse)
def dashboard_designer(
    request: Request, app: str, name: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    if not NAME.fullmatch(name):
        raise NotFound(f"There is no dashboard {name!r}.")
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, KIND)
        model = platform.apps.records(conn, app).model
        charts, fields = palette(conn, app, model, viewer)
        data = {
            **_document(conn, app, name),
            "mode": "edit",
            "app": app,
            "name": name,
            "api": f"/api/apps/{app}",
            "charts": charts,
            "fields": fields,
            "list_url": f"/design/apps/{app}/dashboards",
            "reports_url": f"/design/apps/{app}/reports",
            "filter_types": {k: sorted(v) for k, v in FILTER_FIELD_TYPES.items()},
            "ranges": list(RANGES),
            "columns": GRID_COLUMNS,
            "max_items": MAX_ITEMS,
        }
    label = viewer.label(data["document"].get("label"), name)
    list_title = viewer.t("designer.dashboard.list_title")
    crumbs = [
        Crumb(app_label(model, viewer), f"/design/apps/{app}"),
        Crumb(list_title, data["list_url"]),
        Crumb(label),
    ]
    title = viewer.t("designer.dashboard.title")
    return designer_page(
        request, viewer, KIND, title=f"{label} · {title}", crumbs=crumbs, data=data
    )
