"""The two pages every document designer of an app has: the list of the app's documents of a
kind (``/design/apps/{app}/<path>``) and the designer of one (``.../<path>/{name}``), opened
on the newest version (draft, else published) or on a new document. A kind's module says what
differs: the blank document, each list row's summary, the designer's extra boot data."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.rights import require_designer
from jimu.builder_ui.pages.designers.shell import designer_page, editable_document
from jimu.builder_ui.pages.records.scope import app_label
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.model import AppModel
from jimu.errors import NotFound
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform import metadata_store as store
from jimu.platform.state import Platform

NAME = re.compile(NAME_PATTERN)


@dataclass(frozen=True)
class DocumentPages:
    kind: str
    #: The URL segment after ``/design/apps/{app}/``.
    path: str
    #: The catalogue prefix of ``list_title`` and ``title`` (``designer.report``).
    messages: str
    #: "report", "decision table": how a missing one is named.
    noun: str
    #: The new document named ``name`` (on ``entity`` when the link gives one).
    blank: Callable[[str, str | None], dict[str, Any]]
    #: A list row's summary of a document's body (besides name, label, status, version).
    summary: Callable[[Mapping[str, Any]], dict[str, Any]]
    #: Keys of each entity the designer gets besides its name and label.
    entity_keys: Callable[[Any], dict[str, Any]] = lambda entity: {}
    #: The designer's boot data besides the document, the app and the entities.
    extra: dict[str, Any] = field(default_factory=dict)
    #: The list page's boot data besides its rows (``{app}`` is filled in).
    list_links: dict[str, str] = field(default_factory=dict)

    def _entities(self, model: AppModel, viewer: Viewer) -> list[dict[str, Any]]:
        return [
            {"name": name, "label": viewer.label(entity.label, name), **self.entity_keys(entity)}
            for name, entity in model.entities.items()
        ]

    def list_page(
        self, request: Request, app: str, viewer: Viewer, platform: Platform, rows_key: str
    ) -> HTMLResponse:
        with platform.engine.connect() as conn:
            require_designer(platform, conn, app, viewer.signed_in_user, self.kind)
            model = platform.apps.records(conn, app).model
            rows = [
                {
                    "name": doc.name,
                    "label": viewer.label(doc.body.get("label"), doc.name),
                    **self.summary(doc.body),
                    "status": doc.status,
                    "version": doc.version,
                }
                for doc in store.list_documents(conn, app, self.kind)
            ]
        data = {
            "mode": "list",
            "app": app,
            rows_key: rows,
            "entities": self._entities(model, viewer),
            "designer_url": f"/design/apps/{app}/{self.path}/",
            **{key: url.format(app=app) for key, url in self.list_links.items()},
        }
        title = viewer.t(f"{self.messages}.list_title")
        crumbs = [Crumb(app_label(model, viewer), f"/design/apps/{app}"), Crumb(title)]
        return designer_page(request, viewer, self.kind, title=title, crumbs=crumbs, data=data)

    def designer(
        self,
        request: Request,
        app: str,
        name: str,
        viewer: Viewer,
        platform: Platform,
        entity: str | None,
    ) -> HTMLResponse:
        if not NAME.fullmatch(name):
            raise NotFound(f"There is no {self.noun} {name!r}.")
        with platform.engine.connect() as conn:
            require_designer(platform, conn, app, viewer.signed_in_user, self.kind)
            model = platform.apps.records(conn, app).model
            if entity is not None and entity not in model.entities:
                raise NotFound(f"There is no entity {entity!r} in {app!r}.")
            document = editable_document(
                conn, app, self.kind, name, lambda: self.blank(name, entity)
            )
            data = {
                **document,
                "mode": "edit",
                "app": app,
                "name": name,
                "api": f"/api/apps/{app}",
                "entities": self._entities(model, viewer),
                "list_url": f"/design/apps/{app}/{self.path}",
                **self.extra,
            }
        label = viewer.label(data["document"].get("label"), name)
        list_title = viewer.t(f"{self.messages}.list_title")
        crumbs = [
            Crumb(app_label(model, viewer), f"/design/apps/{app}"),
            Crumb(list_title, data["list_url"]),
            Crumb(label),
        ]
        title = viewer.t(f"{self.messages}.title")
        return designer_page(
            request, viewer, self.kind, title=f"{label} · {title}", crumbs=crumbs, data=data
        )
