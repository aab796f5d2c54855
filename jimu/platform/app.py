"""The FastAPI application factory.

``create_app(settings)`` wires the JSON API (``/api/...``), the problem+json error handlers,
the per-entity OpenAPI document and, when present, the server-rendered pages: the module
``jimu.platform.pages`` may expose ``install(app)`` (called with the app, e.g. to mount static
files and include routers) and/or ``router`` (an ``APIRouter`` that is included).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from jimu import __version__
from jimu.platform.api import (
    access,
    auth,
    health,
    metadata,
    org,
    record_files,
    record_uploads,
    records,
    security,
    users,
)
from jimu.platform.input_guard import InputGuard
from jimu.platform.openapi import install_entity_openapi
from jimu.platform.overload import install_overload_handler
from jimu.platform.problems import install_problem_handlers
from jimu.platform.security.headers import SecurityHeaders
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

PAGES_MODULE = "jimu.platform.pages"


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """A Jimu web application on the database of ``settings`` (or of ``platform``)."""
    if platform is None:
        platform = Platform.from_settings(settings or Settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        platform.engine.dispose()

    app = FastAPI(
        title="Jimu",
        version=__version__,
        description="The Jimu API: metadata documents, records of published entities, users.",
        lifespan=lifespan,
        # Served per caller by install_entity_openapi (hidden fields stay hidden).
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.platform = platform
    install_problem_handlers(app)
    install_overload_handler(app)
    # NUL characters, lone surrogates and too-deep JSON are 422s, wherever they come in.
    app.add_middleware(InputGuard)
    # Added last, so outermost: the guard's refusals carry the security headers too.
    app.add_middleware(SecurityHeaders)
    # record_files first: its /records/export must win over /records/{record_id}.
    routers = (health, auth, users, org, security, metadata, access, record_files, record_uploads)
    for module in (*routers, records):
        app.include_router(module.router)
    install_entity_openapi(app)
    _install_pages(app)
    # Public forms: /api/public/... (JSON) and /f/... (pages), see docs/public-forms.md.
    from jimu.platform.pages import public_form_routes
    from jimu.platform.public_forms import api_routes as public_form_api

    app.include_router(public_form_api.router)
    app.include_router(public_form_routes.router, include_in_schema=False)
    return app


def _install_pages(app: FastAPI) -> None:
    if importlib.util.find_spec(PAGES_MODULE) is None:
        return
    pages = importlib.import_module(PAGES_MODULE)
    install = getattr(pages, "install", None)
    if callable(install):
        install(app)
    router = getattr(pages, "router", None)
    if router is not None:
        app.include_router(router)
