"""``/design/apps``: the app designer (apps, their labels, icon, colour and menu).

The page lists the apps the viewer may design (administrators also create apps, start one from
the marketing template and export an app as a zip); ``/design/apps/{app}`` edits one app's
document. Saving, publishing and discarding go through the metadata API, which checks the
viewer's rights again on every call.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.rights import (
    designable_apps,
    may_design,
    require_designer,
)
from jimu.builder_ui.pages.designers.shell import designer_page
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import NotFound, PermissionDenied
from jimu.metadata.schemas import document_schema
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep

router = APIRouter()


def app_summary(conn: sa.Connection, app: str, viewer: Viewer) -> dict[str, Any]:
    doc = store.get(conn, app, "app", app)
    return {
        "name": app,
        "label": viewer.label(doc.body.get("label"), app),
        "status": doc.status,
        "url": f"/design/apps/{app}",
        "export_url": f"/api/apps/{app}/export.zip",
    }


@router.get("/design/apps", response_class=HTMLResponse)
def app_list(request: Request, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    user = viewer.signed_in_user
    with platform.engine.connect() as conn:
        names = designable_apps(platform, conn, user, "app")
        if not names and not user.is_admin:
            raise PermissionDenied("You may not design any app.")
        apps = [app_summary(conn, name, viewer) for name in names if _has_app_doc(conn, name)]
    title = viewer.t("designer.app.title")
    data = {"mode": "list", "apps": apps, "can_create": user.is_admin}
    return designer_page(request, viewer, "app", title=title, crumbs=[Crumb(title)], data=data)


def _has_app_doc(conn: sa.Connection, app: str) -> bool:
    try:
        store.get(conn, app, "app", app)
    except NotFound:
        return False
    return True


def _named(conn: sa.Connection, app: str, kind: str, viewer: Viewer) -> list[dict[str, str]]:
    """The documents of ``kind`` in ``app`` as ``{name, label}`` (for the menu's pickers)."""
    return [
        {"name": doc.name, "label": viewer.label(doc.body.get("label"), doc.name)}
        for doc in store.list_documents(conn, app, kind)
    ]


@router.get("/design/apps/{app}", response_class=HTMLResponse)
def app_editor(request: Request, app: str, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, "app")
        doc = store.get(conn, app, "app", app)
        live = store.published(conn, app, "app", app)
        data = {
            "mode": "edit",
            "app": app,
            "document": doc.body,
            "version": doc.version,
            "status": doc.status,
            "published_version": live.version if live is not None else None,
            "schema": document_schema("app"),
            "entities": _named(conn, app, "entity", viewer),
            "dashboards": _named(conn, app, "dashboard", viewer),
            "api": f"/api/apps/{app}",
            "runtime_url": f"/apps/{app}",
            "default_time_zone": platform.settings.time_zone,
            "entity_designer": (
                f"/design/apps/{app}/entities/"
                if may_design(platform, conn, app, viewer.signed_in_user, "entity")
                else None
            ),
            "views": _named(conn, app, "view", viewer),
            "view_designer": (
                f"/design/apps/{app}/views/"
                if may_design(platform, conn, app, viewer.signed_in_user, "view")
                else None
            ),
            "rule_designer": (
                f"/design/apps/{app}/rules"
                if may_design(platform, conn, app, viewer.signed_in_user, "rule")
                else None
            ),
            "flows_url": (
                f"/design/apps/{app}/flows"
                if may_design(platform, conn, app, viewer.signed_in_user, "flow")
                else None
            ),
            "decision_tables_url": (
                f"/design/apps/{app}/decision-tables"
                if may_design(platform, conn, app, viewer.signed_in_user, "decision_table")
                else None
            ),
            "reports_url": (
                f"/design/apps/{app}/reports"
                if may_design(platform, conn, app, viewer.signed_in_user, "report")
                else None
            ),
            "dashboards_url": (
                f"/design/apps/{app}/dashboards"
                if may_design(platform, conn, app, viewer.signed_in_user, "dashboard")
                else None
            ),
        }
    label = viewer.label(doc.body.get("label"), app)
    title = viewer.t("designer.app.title")
    crumbs = [Crumb(title, "/design/apps"), Crumb(label)]
    return designer_page(
        request, viewer, "app", title=f"{label} · {title}", crumbs=crumbs, data=data
    )
