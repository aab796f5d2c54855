"""What every page of one entity needs: its app, record service, fields, sidebar, crumbs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from jimu.builder_ui.pages.records.fields import FieldView, field_views, title_of
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.model import AppModel, Entity
from jimu.metadata.app_menu import menu_entities
from jimu.platform import metadata_store as store
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.access.policy import EntityAccess
from jimu.platform.state import Platform

DEFAULT_FORM = "default"


@dataclass(frozen=True)
class NavItem:
    """One line of the sidebar: an entity, a dashboard, a link, or a group of those."""

    label: str
    url: str
    current: bool
    kind: str = "entity"
    children: tuple[NavItem, ...] = ()
    #: Links to other sites open in a new tab.
    external: bool = False


@dataclass(frozen=True)
class Nav:
    """The sidebar of an app: its label, colour and menu (see jimu/metadata/app_menu.py)."""

    app_label: str
    app_url: str
    entities: tuple[NavItem, ...]
    color: str | None = None


def app_label(model: AppModel, viewer: Viewer) -> str:
    return viewer.label(model.spec.get("label"), model.name)


def menu(model: AppModel, records: GuardedRecords | None = None) -> list[str]:
    """The entities of the app's menu (all of them, by name, if the app has no menu) that the
    user may read or create (all of them without ``records``), groups included.

    Entities left out of a menu (e.g. the rows of a sub-table) stay reachable by their URL.
    """
    listed = [n for n in menu_entities(model.spec.get("menu")) if n in model.entities]
    names = listed or sorted(model.entities)
    if records is None:
        return names
    return [n for n in names if {"read", "create"} & records.access(n).actions]


def _nav_item(
    model: AppModel,
    viewer: Viewer,
    item: Any,
    current: str | None,
    visible: set[str],
    dashboard: str | None = None,
) -> NavItem | None:
    """The sidebar line of one menu item (None when the viewer may not reach it)."""
    if isinstance(item, str):
        item = {"type": "entity", "entity": item}
    kind = item.get("type")
    if kind == "entity":
        name = str(item["entity"])
        if name not in visible:
            return None
        label = viewer.label(item.get("label") or model.entities[name].label, name)
        return NavItem(label, f"/apps/{model.name}/{name}", name == current)
    if kind == "dashboard":
        name = str(item["dashboard"])
        url = f"/apps/{model.name}/dashboards/{name}"
        return NavItem(viewer.label(item.get("label"), name), url, name == dashboard, "dashboard")
    if kind == "link":
        url = str(item["url"])
        return NavItem(viewer.label(item.get("label"), url), url, False, "link", (), url[0] != "/")
    children = tuple(
        child
        for child in (
            _nav_item(model, viewer, c, current, visible, dashboard)
            for c in item.get("items") or []
        )
        if child is not None
    )
    if not children:
        return None
    return NavItem(viewer.label(item.get("label"), ""), "", False, "group", children)


def app_nav(
    model: AppModel,
    viewer: Viewer,
    current: str | None = None,
    records: GuardedRecords | None = None,
    dashboard: str | None = None,
) -> Nav:
    """The sidebar; ``current`` the entity shown, ``dashboard`` the dashboard shown."""
    visible = set(menu(model, records))
    spec_menu = model.spec.get("menu") or [
        {"type": "entity", "entity": name} for name in sorted(visible)
    ]
    candidates = (_nav_item(model, viewer, item, current, visible, dashboard) for item in spec_menu)
    items = tuple(item for item in candidates if item is not None)
    color = model.spec.get("color")
    return Nav(
        app_label(model, viewer),
        f"/apps/{model.name}",
        items,
        color if isinstance(color, str) else None,
    )


def load_app(
    platform: Platform, conn: sa.Connection, app: str, viewer: Viewer
) -> tuple[AppModel, GuardedRecords]:
    """The published ``app`` and its records as the viewer may use them (``NotFound`` if it is
    not published)."""
    records = platform.apps.for_user(conn, app, viewer.signed_in_user)
    return records.model, records


def visible_views(
    views: list[FieldView], access: EntityAccess, records: GuardedRecords | None = None
) -> list[FieldView]:
    """The field views without the fields the user may not see; read-only ones marked so.

    With ``records``, a sub-table's columns follow the rules of its rows' entity too."""
    shown = []
    for view in views:
        if view.name in access.hidden:
            continue
        if view.name in access.read_only:
            view = replace(view, readonly=True)
        if records is not None and view.widget == "subtable" and view.target:
            child = records.access(view.target)
            view = replace(view, columns=tuple(visible_views(list(view.columns), child)))
        shown.append(view)
    return shown


@dataclass
class EntityScope:
    platform: Platform
    viewer: Viewer
    model: AppModel
    records: GuardedRecords
    entity: Entity
    fields: list[FieldView] = field(init=False)

    def __post_init__(self) -> None:
        views = field_views(self.entity, self.viewer, self.model)
        self.fields = visible_views(views, self.access, self.records)

    @property
    def access(self) -> EntityAccess:
        """What the viewer may do with the entity."""
        return self.records.access(self.entity.name)

    @classmethod
    def open(
        cls, platform: Platform, conn: sa.Connection, viewer: Viewer, app: str, entity: str
    ) -> EntityScope:
        model, records = load_app(platform, conn, app, viewer)
        return cls(platform, viewer, model, records, model.entity(entity))

    @property
    def app(self) -> str:
        return self.model.name

    @property
    def name(self) -> str:
        return self.entity.name

    @property
    def label(self) -> str:
        return self.viewer.label(self.entity.label, self.entity.name)

    @property
    def url(self) -> str:
        return f"/apps/{self.app}/{self.name}"

    def record_url(self, record_id: object) -> str:
        return f"{self.url}/{record_id}"

    def title(self, record: Mapping[str, Any], record_id: object = None) -> str:
        """The text naming ``record`` (its title field, else ``#id``)."""
        if record_id is not None and "id" not in record:
            record = {**record, "id": record_id}
        return title_of(self.entity, record)

    def require(self, *actions: str) -> None:
        """PermissionDenied unless the viewer may do every one of ``actions``."""
        for action in actions:
            self.access.require(action, self.label)

    def field(self, name: str) -> FieldView | None:
        return next((f for f in self.fields if f.name == name), None)

    def nav(self) -> Nav:
        return app_nav(self.model, self.viewer, self.name, self.records)

    def crumbs(self, *more: Crumb) -> list[Crumb]:
        return [
            Crumb(app_label(self.model, self.viewer), f"/apps/{self.app}"),
            Crumb(self.label, self.url),
            *more,
        ]

    def list_crumbs(self) -> list[Crumb]:
        """The crumbs of the list page itself (the entity is the current page)."""
        return [Crumb(app_label(self.model, self.viewer), f"/apps/{self.app}"), Crumb(self.label)]

    def form_document(self, conn: sa.Connection) -> Mapping[str, Any] | None:
        """The entity's published default form layout, if it has one."""
        version = store.published(conn, self.app, "form", f"{self.name}.{DEFAULT_FORM}")
        return version.body if version is not None else None
