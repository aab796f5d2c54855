"""The server-rendered runtime pages: sign-in, apps, record lists, forms, record pages with
history, the recycle bin and the import wizard (templates in :mod:`jimu.builder_ui`).

``create_app`` includes :data:`router` and calls :func:`install`, which serves the static files
under ``/static`` and renders errors on page paths as HTML pages.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from jimu.builder_ui import STATIC_DIR
from jimu.platform.pages import (
    app_routes,
    attachments,
    audit_routes,
    auth_routes,
    export_routes,
    import_routes,
    list_routes,
    lookup_routes,
    oidc_routes,
    org_routes,
    record_form_routes,
    record_routes,
    recycle_routes,
    role_routes,
    security_routes,
    share_routes,
    token_routes,
)
from jimu.platform.pages.errors import install_page_error_handlers
from jimu.platform.pages.rendering import STATIC_PREFIX

router = APIRouter(include_in_schema=False)
for _module in (
    auth_routes,
    oidc_routes,
    security_routes,
    audit_routes,
    app_routes,
    lookup_routes,
    recycle_routes,
    export_routes,
    import_routes,
    org_routes,
    role_routes,
    token_routes,
    share_routes,
    record_form_routes,
    record_routes,
    attachments,
    list_routes,
):
    router.include_router(_module.router)


def install(app: FastAPI) -> None:
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    install_page_error_handlers(app)


__all__ = ["install", "router"]
