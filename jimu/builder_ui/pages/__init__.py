"""The server-rendered pages, by area, beside the templates they render.

- :mod:`.shell`: what every page uses (rendering, the viewer, language, error pages);
- :mod:`.records`: apps, record lists, forms, record pages, history, sharing, the recycle bin;
- :mod:`.imports`: the import wizard;
- :mod:`.admin`: organisation, roles, audit log, API tokens;
- :mod:`.auth`: sign-in, single sign-on, the account's security page;
- :mod:`.public_forms`: anonymous forms at ``/f/...``;
- :mod:`.tasks`: the task inbox and the approval page;
- :mod:`.designers`: the designers (Vue islands in a server-rendered shell).

:func:`install` adds them to the platform's API app; :func:`jimu.app.create_app` calls it.
The pages import the platform's services; the platform never imports this package.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from jimu.builder_ui import STATIC_DIR
from jimu.builder_ui.pages import (
    admin,
    auth,
    designers,
    imports,
    public_forms,
    records,
    tasks,
)
from jimu.builder_ui.pages.shell.errors import install_page_error_handlers
from jimu.builder_ui.pages.shell.rendering import STATIC_PREFIX


def page_router() -> APIRouter:
    """Every page route, in the order they must be matched."""
    router = APIRouter(include_in_schema=False)
    for area in (auth, admin, designers, imports, tasks, records, public_forms):
        router.include_router(area.router)
    return router


def install(app: FastAPI) -> None:
    """Serve the pages, their static files and HTML error pages on ``app``."""
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    install_page_error_handlers(app)
    app.include_router(page_router())


__all__ = ["install", "page_router"]
