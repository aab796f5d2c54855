"""``/design/apps/{app}/rules``: the app's rules, and ``/design/apps/{app}/rules/{rule}``: the
rule designer (trigger, condition, actions, test run, run log; see docs/rules.md).

Holders of the ``rules`` design right (and administrators) may open them; the metadata API and
the rule routes check every save, publish, test run and replay again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.rights import require_designer
from jimu.builder_ui.pages.designers.shell import designer_page
from jimu.builder_ui.pages.records.scope import app_label
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.engines.form.model import AppModel
from jimu.errors import NotFound
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform import metadata_store as store
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
NAME = re.compile(NAME_PATTERN)


def _menu_entities(items: Any) -> Iterator[str]:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict) and item.get("type") == "group":
            yield from _menu_entities(item.get("items"))
        elif isinstance(item, dict) and item.get("type") == "entity":
            yield str(item.get("entity"))


def _first_entity(conn: sa.Connection, app: str, model: AppModel) -> str:
    """The first entity of the app's menu (else of the app) for a new rule."""
    try:
        menu = store.get(conn, app, "app", app).body.get("menu")
    except NotFound:
        menu = []
    for name in _menu_entities(menu):
        if name in model.entities:
            return name
    return next(iter(model.entities), "")


def _document(
    conn: sa.Connection, app: str, rule: str, model: AppModel, entity: str | None
) -> dict[str, Any]:
    """The rule's newest version (draft, else published), or a new rule waiting for records
    of ``entity`` (else the first of the menu) to be created."""
    try:
        doc = store.get(conn, app, "rule", rule)
    except NotFound:
        if entity not in model.entities:
            entity = _first_entity(conn, app, model)
        body: dict[str, Any] = {
            "kind": "rule",
            "name": rule,
            "label": {},
            "entity": entity,
            "trigger": {"on": "created"},
            "actions": [],
        }
        return {"document": body, "version": 0, "status": "new", "published_version": None}
    live = store.published(conn, app, "rule", rule)
    return {
        "document": doc.body,
        "version": doc.version,
        "status": doc.status,
        "published_version": live.version if live is not None else None,
    }


@router.get("/design/apps/{app}/rules", response_class=HTMLResponse)
def rule_list(request: Request, app: str, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, "rule")
        model = platform.apps.records(conn, app).model
    data = {
        "page": "list",
        "app": app,
        "api": f"/api/apps/{app}",
        "designer_url": f"/design/apps/{app}/rules/",
        "entities": {name: dict(e.label) for name, e in model.entities.items()},
    }
    title = viewer.t("designer.rule.list_title")
    crumbs = [Crumb(app_label(model, viewer), f"/design/apps/{app}"), Crumb(title)]
    return designer_page(request, viewer, "rule", title=title, crumbs=crumbs, data=data)


@router.get("/design/apps/{app}/rules/{rule}", response_class=HTMLResponse)
def rule_designer(
    request: Request,
    app: str,
    rule: str,
    viewer: SignedIn,
    platform: PlatformDep,
    entity: str | None = None,
) -> HTMLResponse:
    if not NAME.fullmatch(rule):
        raise NotFound(f"There is no rule {rule!r}.")
    with platform.engine.connect() as conn:
        user = viewer.signed_in_user
        require_designer(platform, conn, app, user, "rule")
        model = platform.apps.records(conn, app).model
        data = {
            **_document(conn, app, rule, model, entity),
            "page": "designer",
            "app": app,
            "rule": rule,
            "api": f"/api/apps/{app}",
            "list_url": f"/design/apps/{app}/rules",
            "records_url": f"/apps/{app}/",
            "is_admin": user.is_admin,
        }
    label = viewer.label(data["document"].get("label"), rule)
    title = viewer.t("designer.rule.title")
    crumbs = [
        Crumb(app_label(model, viewer), f"/design/apps/{app}"),
        Crumb(viewer.t("designer.rule.list_title"), f"/design/apps/{app}/rules"),
        Crumb(label),
    ]
    return designer_page(
        request, viewer, "rule", title=f"{label} · {title}", crumbs=crumbs, data=data
    )
