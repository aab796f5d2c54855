"""``/design/apps/{app}/reports`` and ``.../reports/{name}``: the app's charts and the chart
designer of one (docs/reports.md, "The chart designer").

Who holds the ``reports`` design right (and administrators) may open them; the metadata API
checks every save and publish again, and the ad hoc run API every live preview (with the
designer's own data scope), pinning the problems to the wells and controls.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.rights import require_designer
from jimu.builder_ui.pages.designers.shell import designer_page, editable_document
from jimu.builder_ui.pages.records.scope import app_label
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.form.model import AppModel
from jimu.engines.report.schema import AGGREGATES, GRAINS, RANGES, VISUALS
from jimu.errors import NotFound
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
NAME = re.compile(NAME_PATTERN)
KIND = "report"
FORMATS = ("number", "integer", "money", "percent")


def _entities(model: AppModel, viewer: Viewer) -> list[dict[str, str]]:
    return [
        {"name": name, "label": viewer.label(entity.label, name)}
        for name, entity in model.entities.items()
    ]


def _document(conn: sa.Connection, app: str, name: str, entity: str | None) -> dict[str, Any]:
    """The report's newest version (draft, else published), or a new one: a count of the
    entity's records as a number card, which runs as soon as the page opens."""

    def blank() -> dict[str, Any]:
        body = {
            "kind": KIND,
            "name": name,
            "label": {},
            "dataset": {"entity": entity or ""},
            "dimensions": [],
            "measures": [{"name": "records", "agg": "count"}],
            "visual": {"type": "number"},
        }
        return body

    return editable_document(conn, app, KIND, name, blank)


@router.get("/design/apps/{app}/reports", response_class=HTMLResponse)
def report_list(
    request: Request, app: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, KIND)
        model = platform.apps.records(conn, app).model
        reports = [
            {
                "name": doc.name,
                "label": viewer.label(doc.body.get("label"), doc.name),
                "entity": (doc.body.get("dataset") or {}).get("entity"),
                "visual": (doc.body.get("visual") or {}).get("type"),
                "status": doc.status,
                "version": doc.version,
            }
            for doc in store.list_documents(conn, app, KIND)
        ]
    data = {
        "mode": "list",
        "app": app,
        "reports": reports,
        "entities": _entities(model, viewer),
        "designer_url": f"/design/apps/{app}/reports/",
        "dashboards_url": f"/design/apps/{app}/dashboards",
    }
    title = viewer.t("designer.report.list_title")
    crumbs = [Crumb(app_label(model, viewer), f"/design/apps/{app}"), Crumb(title)]
    return designer_page(request, viewer, KIND, title=title, crumbs=crumbs, data=data)


@router.get("/design/apps/{app}/reports/{name}", response_class=HTMLResponse)
def report_designer(
    request: Request,
    app: str,
    name: str,
    viewer: SignedIn,
    platform: PlatformDep,
    entity: str | None = Query(default=None, max_length=63),
) -> HTMLResponse:
    if not NAME.fullmatch(name):
        raise NotFound(f"There is no report {name!r}.")
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, KIND)
        model = platform.apps.records(conn, app).model
        if entity is not None and entity not in model.entities:
            raise NotFound(f"There is no entity {entity!r} in {app!r}.")
        data = {
            **_document(conn, app, name, entity),
            "mode": "edit",
            "app": app,
            "name": name,
            "api": f"/api/apps/{app}",
            "entities": _entities(model, viewer),
            "list_url": f"/design/apps/{app}/reports",
            "aggregates": list(AGGREGATES),
            "grains": list(GRAINS),
            "ranges": list(RANGES),
            "visuals": list(VISUALS),
            "formats": list(FORMATS),
        }
    label = viewer.label(data["document"].get("label"), name)
    list_title = viewer.t("designer.report.list_title")
    crumbs = [
        Crumb(app_label(model, viewer), f"/design/apps/{app}"),
        Crumb(list_title, data["list_url"]),
        Crumb(label),
    ]
    title = viewer.t("designer.report.title")
    return designer_page(
        request, viewer, KIND, title=f"{label} · {title}", crumbs=crumbs, data=data
    )
