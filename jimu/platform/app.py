"""The platform's FastAPI application: the JSON API, without any page.

``create_api_app(settings)`` wires the JSON API (``/api/...``, public forms' ``/api/public/...``
included), the problem+json error handlers, the guards and security headers, and the
per-entity OpenAPI document. The pages are added on top by the composition root,
:func:`jimu.app.create_app`; the platform never imports the UI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from jimu import __version__
from jimu.platform.api import (
    access,
    app_transfer,
    auth,
    conditions,
    dashboards,
    decision_tables,
    deliveries,
    field_types,
    formulas,
    health,
    hooks,
    metadata,
    notifications,
    org,
    org_people,
    pool,
    process_monitor,
    process_simulation,
    processes,
    record_files,
    record_uploads,
    records,
    reports,
    rules,
    security,
    users,
)
from jimu.platform.input_guard import InputGuard
from jimu.platform.openapi import install_entity_openapi
from jimu.platform.overload import install_overload_handler
from jimu.platform.problems import install_problem_handlers
from jimu.platform.public_forms import api_routes as public_form_api
from jimu.platform.security.headers import SecurityHeaders
from jimu.platform.settings import Settings
from jimu.platform.state import Platform


def create_api_app(
    settings: Settings | None = None, *, platform: Platform | None = None
) -> FastAPI:
    """Jimu's API on the database of ``settings`` (or of ``platform``)."""
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
    # The record routes first: they take most requests, and a request is matched against the
    # routes in order (each earlier router costs it a regular expression per route). Then
    # record_files before records: its /records/export must win over /records/{record_id};
    # app_transfer before metadata: its /api/apps/import must win over /api/apps/{app}/...
    routers = (
        *(record_files, records, health, auth, users, org, org_people, security),
        *(app_transfer, metadata),
    )
    designing = (
        *(access, rules, decision_tables, conditions, field_types, formulas, reports),
        dashboards,
        *(pool, processes, process_monitor, process_simulation),
    )
    for module in (*routers, *designing, notifications, deliveries, record_uploads, hooks):
        app.include_router(module.router)
    install_entity_openapi(app)
    # Public forms' JSON endpoint for other sites, see docs/public-forms.md.
    app.include_router(public_form_api.router)
    return app
