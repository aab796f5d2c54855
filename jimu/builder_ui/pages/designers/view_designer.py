"""``/design/apps/{app}/views/{entity}/{view}``: the view designer.

A page per view document of one entity: label, type (table, kanban, calendar), the form layout
its "New" button and record links open, columns in order with widths, default filter (the
shared condition builder), sort and page size. Who
holds the ``forms`` design right (and administrators) may open it; the metadata API checks
every save and publish again and pins the problems it finds (docs/views.md).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.layouts import entity_layouts
from jimu.builder_ui.pages.designers.rights import require_designer
from jimu.builder_ui.pages.designers.shell import designer_page, editable_document
from jimu.builder_ui.pages.records.scope import app_label
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.errors import NotFound
from jimu.metadata.schemas import NAME_PATTERN
from jimu.metadata.views import PAGE_SIZES
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
NAME = re.compile(NAME_PATTERN)


def _document(conn: sa.Connection, app: str, entity: str, view: str) -> dict[str, Any]:
    """The view's newest version (draft, else published), or a new table view."""
    key = f"{entity}.{view}"

    def blank() -> dict[str, Any]:
        body = {"kind": "view", "entity": entity, "name": view, "type": "table", "columns": []}
        return body

    return editable_document(conn, app, "view", key, blank)


@router.get("/design/apps/{app}/views/{entity}/{view}", response_class=HTMLResponse)
def view_designer(
    request: Request, app: str, entity: str, view: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    if not NAME.fullmatch(view):
        raise NotFound(f"There is no view {view!r}.")
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, "view")
        model = platform.apps.records(conn, app).model
        found = model.entities.get(entity)
        if found is None:
            raise NotFound(f"There is no entity {entity!r} in {app!r}.")
        data = {
            **_document(conn, app, entity, view),
            "app": app,
            "entity": entity,
            "view": view,
            "api": f"/api/apps/{app}",
            "list_url": f"/apps/{app}/{entity}?view={view}",
            "page_sizes": list(PAGE_SIZES),
            # the layouts a view may open: the entity's own, public forms left out
            "layouts": [
                {"name": f["name"], "label": f["label"]}
                for f in entity_layouts(conn, app, entity, viewer)
                if not f["public"]
            ],
        }
    label = viewer.label(data["document"].get("label"), view)
    crumbs = [
        Crumb(app_label(model, viewer), f"/apps/{app}"),
        Crumb(viewer.label(found.label, entity), f"/apps/{app}/{entity}"),
        Crumb(label),
    ]
    title = viewer.t("designer.view.title")
    return designer_page(
        request, viewer, "view", title=f"{label} · {title}", crumbs=crumbs, data=data
    )
