"""``/``, ``/apps`` (the published apps) and ``/apps/{app}`` (an app's tables)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse

from jimu.builder_ui.pages.designers.shell import boot_data
from jimu.builder_ui.pages.records.dashboard_page import DESIGNER, home_dashboard
from jimu.builder_ui.pages.records.scope import app_label, app_nav, load_app, menu
from jimu.builder_ui.pages.shell.rendering import Crumb, render
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.errors import JimuError, PermissionDenied
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery

router = APIRouter()


@dataclass(frozen=True)
class AppCard:
    name: str
    label: str
    description: str
    entity_count: int
    url: str


@dataclass(frozen=True)
class EntityCard:
    name: str
    label: str
    description: str
    total: int | None
    url: str


def published_app_documents(conn: sa.Connection) -> list[dict[str, Any]]:
    """The published app documents, by app name."""
    documents = []
    for app in store.apps(conn):
        version = store.published(conn, app, "app", app)
        if version is not None:
            documents.append(dict(version.body))
    return documents


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/apps", status_code=303)


@router.get("/apps", response_class=HTMLResponse)
def apps(request: Request, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    with platform.engine.connect() as conn:
        documents = published_app_documents(conn)
    cards = [
        AppCard(
            name=str(doc["name"]),
            label=viewer.label(doc.get("label"), str(doc["name"])),
            description=viewer.label(doc.get("description"), ""),
            entity_count=len(doc.get("menu") or []),
            url=f"/apps/{doc['name']}",
        )
        for doc in documents
    ]
    return render(
        request, viewer, "apps/index.html", crumbs=[Crumb(viewer.t("apps.title"))], apps=cards
    )


@router.get("/apps/{app}", response_class=HTMLResponse)
def app_home(request: Request, app: str, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    """The app's tables as cards, under its home dashboard when the app document names one
    (``"home": {"dashboard": name}``, published)."""
    with platform.engine.connect() as conn:
        model, records = load_app(platform, conn, app, viewer)
        if not records.policy.unrestricted and not menu(model, records):
            raise PermissionDenied(f"You hold no role in {app!r} that reaches its records.")
        cards = []
        for name in menu(model, records):
            entity = model.entities[name]
            try:
                total = records.list(conn, name, ListQuery(limit=1, fields=[], count=True)).total
            except JimuError:
                total = None
            cards.append(
                EntityCard(
                    name=name,
                    label=viewer.label(entity.label, name),
                    description=viewer.label(entity.spec.get("description"), ""),
                    total=total,
                    url=f"/apps/{app}/{name}",
                )
            )
        board = home_dashboard(conn, records, viewer)
    label = app_label(model, viewer)
    summary = {"label": label, "description": viewer.label(model.spec.get("description"), "")}
    return render(
        request,
        viewer,
        "apps/home.html",
        crumbs=[Crumb(label)],
        nav=app_nav(model, viewer, records=records),
        app=summary,
        entities=cards,
        designer=DESIGNER if board else None,
        boot=boot_data(viewer, DESIGNER, board) if board else None,
    )
