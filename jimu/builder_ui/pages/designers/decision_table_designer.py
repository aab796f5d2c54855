"""``/design/apps/{app}/decision-tables`` and ``.../decision-tables/{name}``: the app's decision
tables and the grid editor of one (docs/rules.md, "Decision tables").

Who holds the ``rules`` design right (and administrators) may open them; the metadata API
checks every save and publish again and pins the problems it finds to the cells.
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
from jimu.engines.rule.decision_cells import CELL_KINDS, KINDS_BY_TYPE
from jimu.engines.rule.decision_table import AGGREGATES, HIT_POLICIES, OUTPUT_TYPES
from jimu.errors import NotFound
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
NAME = re.compile(NAME_PATTERN)
KIND = "decision_table"


def _entities(model: AppModel, viewer: Viewer) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "label": viewer.label(entity.label, name),
            "title_field": entity.title_field or "",
        }
        for name, entity in model.entities.items()
    ]


def _document(conn: sa.Connection, app: str, name: str, entity: str | None) -> dict[str, Any]:
    """The table's newest version (draft, else published), or a new one."""

    def blank() -> dict[str, Any]:
        body = {
            "kind": KIND,
            "name": name,
            "label": {},
            "entity": entity or "",
            "hit_policy": "first",
            "inputs": [],
            "outputs": [{"name": "result", "type": "number"}],
            "rows": [],
        }
        return body

    return editable_document(conn, app, KIND, name, blank)


@router.get("/design/apps/{app}/decision-tables", response_class=HTMLResponse)
def table_list(request: Request, app: str, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, KIND)
        model = platform.apps.records(conn, app).model
        tables = [
            {
                "name": doc.name,
                "label": viewer.label(doc.body.get("label"), doc.name),
                "entity": doc.body.get("entity"),
                "hit_policy": doc.body.get("hit_policy"),
                "rows": len(doc.body.get("rows") or []),
                "status": doc.status,
                "version": doc.version,
            }
            for doc in store.list_documents(conn, app, KIND)
        ]
    data = {
        "mode": "list",
        "app": app,
        "tables": tables,
        "entities": _entities(model, viewer),
        "designer_url": f"/design/apps/{app}/decision-tables/",
    }
    title = viewer.t("designer.dtable.list_title")
    crumbs = [Crumb(app_label(model, viewer), f"/design/apps/{app}"), Crumb(title)]
    return designer_page(request, viewer, KIND, title=title, crumbs=crumbs, data=data)


@router.get("/design/apps/{app}/decision-tables/{name}", response_class=HTMLResponse)
def table_designer(
    request: Request,
    app: str,
    name: str,
    viewer: SignedIn,
    platform: PlatformDep,
    entity: str | None = Query(default=None, max_length=63),
) -> HTMLResponse:
    if not NAME.fullmatch(name):
        raise NotFound(f"There is no decision table {name!r}.")
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
            "list_url": f"/design/apps/{app}/decision-tables",
            "hit_policies": list(HIT_POLICIES),
            "aggregates": list(AGGREGATES),
            "output_types": list(OUTPUT_TYPES),
            "cell_kinds": {kind: list(kinds) for kind, kinds in KINDS_BY_TYPE.items()},
            "all_cell_kinds": list(CELL_KINDS),
        }
    label = viewer.label(data["document"].get("label"), name)
    list_title = viewer.t("designer.dtable.list_title")
    crumbs = [
        Crumb(app_label(model, viewer), f"/design/apps/{app}"),
        Crumb(list_title, data["list_url"]),
        Crumb(label),
    ]
    title = viewer.t("designer.dtable.title")
    return designer_page(
        request, viewer, KIND, title=f"{label} · {title}", crumbs=crumbs, data=data
    )
