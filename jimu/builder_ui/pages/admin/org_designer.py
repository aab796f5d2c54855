"""``/admin/organisation``: the organisation designer (administrators only).

A Vue island (``designers/org``) on the department tree, the users and the holders of every
published app's roles. It reads and changes everything through ``/api/org``, ``/api/users`` and
``/api/apps/{app}/roles``, which check the caller again and audit every change; the page only
hands it the apps (names and labels in the viewer's language) and the URLs it calls.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.pages.designers.shell import designer_page
from jimu.builder_ui.pages.records.apps import published_app_documents
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.errors import PermissionDenied
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
PAGE = "/admin/organisation"


@router.get(PAGE, response_class=HTMLResponse)
def organisation_designer(
    request: Request, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    user = viewer.signed_in_user
    if not user.is_admin:
        raise PermissionDenied("Only administrators may change the organisation.")
    with platform.engine.connect() as conn:
        apps = [
            {"name": str(doc["name"]), "label": viewer.label(doc.get("label"), str(doc["name"]))}
            for doc in published_app_documents(conn)
        ]
    title = viewer.t("designer.org.title")
    data = {
        "apps": apps,
        "me": user.id,
        "import_url": "/admin/org",
        "audit_url": "/admin/audit",
    }
    return designer_page(request, viewer, "org", title=title, crumbs=[Crumb(title)], data=data)
