"""The page shell of every designer: the server-rendered header (auth, language, breadcrumbs),
a mount ``<div id="designer">`` and ``<script type="application/json" id="designer-boot">``
with what the designer starts from: its language, the CSRF token its saves send, the
``designer.*`` messages of the server's catalogue and the designer's own data (its document,
JSON Schema, URLs). The designer's built files are loaded by
:func:`jimu.builder_ui.pages.shell.designer_assets.designer_tags`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.i18n import catalogue
from jimu.builder_ui.pages.shell.rendering import Crumb, render
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.errors import NotFound
from jimu.platform import metadata_store as store

#: The catalogue keys a designer receives (vue-i18n gets only these).
MESSAGE_PREFIX = "designer."


def designer_messages(language: str) -> dict[str, str]:
    """The ``designer.*`` messages of ``language``."""
    return {k: v for k, v in catalogue(language).items() if k.startswith(MESSAGE_PREFIX)}


def boot_data(viewer: Viewer, designer: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """What the page hands the designer (see designers/shared/bootData.ts)."""
    return {
        **data,
        "designer": designer,
        "lang": viewer.language,
        "csrf_token": viewer.csrf_token,
        "messages": designer_messages(viewer.language),
    }


def designer_page(
    request: Request,
    viewer: Viewer,
    designer: str,
    *,
    title: str,
    crumbs: list[Crumb],
    data: Mapping[str, Any],
) -> HTMLResponse:
    """The page of ``designer`` (a folder of ``jimu/builder_ui/designers/``) with ``data``."""
    return render(
        request,
        viewer,
        "designers/shell.html",
        crumbs=crumbs,
        title=title,
        designer=designer,
        boot=boot_data(viewer, designer, data),
    )


def editable_document(
    conn: sa.Connection, app: str, kind: str, name: str, blank: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """What a designer opens: the document's newest version (draft, else published) with its
    status and live version, or ``blank()`` as a new one (``blank`` may raise NotFound)."""
    try:
        doc = store.get(conn, app, kind, name)
    except NotFound:
        return {"document": blank(), "version": 0, "status": "new", "published_version": None}
    live = store.published(conn, app, kind, name)
    return {
        "document": doc.body,
        "version": doc.version,
        "status": doc.status,
        "published_version": live.version if live is not None else None,
    }
