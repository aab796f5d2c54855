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
from jimu.platform import metadata_store as store
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.access.policy import EntityAccess
from jimu.platform.state import Platform

DEFAULT_FORM = "default"


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Nav:
    """The sidebar of an app: its label and the entities of its menu."""

    app_label: str
    app_url: str
    entities: tuple[NavItem, ...]


def app_label(model: AppModel, viewer: Viewer) -> str:
    return viewer.label(model.spec.get("label"), model.name)


def menu(model: AppModel, records: GuardedRecords | None = None) -> list[str]:
    """The entities of the app's menu (all of them, by name, if the app has no menu) that the
    user may read or create (all of them without ``records``).

    Entities left out of a menu (e.g. the rows of a sub-table) stay reachable by their URL.
    """
    listed = [str(n) for n in model.spec.get("menu") or [] if str(n) in model.entities]
    names = listed or sorted(model.entities)
    if records is None:
        return names
    return [n for n in names if {"read", "create"} & records.access(n).actions]


def app_nav(
    model: AppModel,
    viewer: Viewer,
    current: str | None = None,
    records: GuardedRecords | None = None,
) -> Nav:
    items = tuple(
        NavItem(
            label=viewer.label(model.entities[name].label, name),
            url=f"/apps/{model.name}/{name}",
            current=name == current,
        )
        for name in menu(model, records)
    )
    return Nav(app_label(model, viewer), f"/apps/{model.name}", items)


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
