"""``/design/apps/{app}/flows``: the app's flows, and ``/design/apps/{app}/flows/{flow}``: the
flow designer, a 钉钉/飞书-style vertical tree that compiles to the flow document's nodes and
edges (see docs/process.md, "The flow designer").

Holders of the ``flows`` design right (and administrators) may open them; the metadata API
checks every save and publish again.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.rights import require_designer
from jimu.builder_ui.pages.designers.shell import designer_page, editable_document
from jimu.builder_ui.pages.records.scope import app_label
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import default_registry
from jimu.errors import NotFound
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep
from jimu.platform.rules.designer import vocabulary
from jimu.platform.state import Platform

router = APIRouter()
NAME = re.compile(NAME_PATTERN)


def _entities(model: AppModel) -> dict[str, dict[str, str]]:
    return {name: dict(e.label) for name, e in model.entities.items()}


def _fields(model: AppModel) -> dict[str, list[dict[str, Any]]]:
    """Each entity's fields for the node panel's field permissions: name, label, type, and
    ``fixed`` for those nobody writes (computed by their type, or read-only)."""
    registry = default_registry()
    return {
        name: [
            {
                "name": f.name,
                "label": dict(f.label),
                "type": f.type,
                "fixed": f.readonly or (f.type in registry and registry.get(f.type).computed),
            }
            for f in entity.fields
        ]
        for name, entity in model.entities.items()
    }


def _document(conn: sa.Connection, app: str, flow: str, model: AppModel) -> dict[str, Any]:
    """The flow's newest version (draft, else published), or a new flow: start → end on the
    app's first entity."""

    def blank() -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "flow",
            "name": flow,
            "label": {},
            "entity": next(iter(model.entities), ""),
            "nodes": [
                {"id": "start", "type": "start", "on": "manual"},
                {"id": "end", "type": "end"},
            ],
            "edges": [{"from": "start", "to": "end"}],
        }
        return body

    return editable_document(conn, app, "flow", flow, blank)


def _people(platform: Platform, conn: sa.Connection, app: str) -> dict[str, Any]:
    """The approver pickers' users, roles and departments (those the rule designer lists)."""
    words = vocabulary(platform, conn, app)
    return {key: words[key] for key in ("users", "roles", "departments")}


@router.get("/design/apps/{app}/flows", response_class=HTMLResponse)
def flow_list(request: Request, app: str, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, "flow")
        model = platform.apps.records(conn, app).model
        flows = []
        for doc in store.list_documents(conn, app, "flow"):
            live = store.published(conn, app, "flow", doc.name)
            flows.append(
                {
                    "name": doc.name,
                    "label": doc.body.get("label") or {},
                    "entity": doc.body.get("entity", ""),
                    "version": doc.version,
                    "status": doc.status,
                    "published_version": live.version if live is not None else None,
                }
            )
    data = {
        "page": "list",
        "app": app,
        "designer_url": f"/design/apps/{app}/flows/",
        "entities": _entities(model),
        "flows": flows,
    }
    title = viewer.t("designer.flow.list_title")
    crumbs = [Crumb(app_label(model, viewer), f"/design/apps/{app}"), Crumb(title)]
    return designer_page(request, viewer, "flow", title=title, crumbs=crumbs, data=data)


@router.get("/design/apps/{app}/flows/{flow}", response_class=HTMLResponse)
def flow_designer(
    request: Request, app: str, flow: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    if not NAME.fullmatch(flow):
        raise NotFound(f"There is no flow {flow!r}.")
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, "flow")
        model = platform.apps.records(conn, app).model
        data = {
            **_document(conn, app, flow, model),
            **_people(platform, conn, app),
            "page": "designer",
            "app": app,
            "flow": flow,
            "api": f"/api/apps/{app}",
            "list_url": f"/design/apps/{app}/flows",
            "entities": _entities(model),
            "fields": _fields(model),
            # the app's working-day calendars, for task deadlines (app document)
            "calendars": [
                {"name": name, "label": body.get("label") or {"en": name}}
                for name, body in sorted((model.spec.get("calendars") or {}).items())
            ],
        }
    label = viewer.label(data["document"].get("label"), flow)
    title = viewer.t("designer.flow.title")
    crumbs = [
        Crumb(app_label(model, viewer), f"/design/apps/{app}"),
        Crumb(viewer.t("designer.flow.list_title"), f"/design/apps/{app}/flows"),
        Crumb(label),
    ]
    return designer_page(
        request, viewer, "flow", title=f"{label} · {title}", crumbs=crumbs, data=data
    )
