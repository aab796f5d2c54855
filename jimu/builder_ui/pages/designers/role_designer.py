"""``/design/apps/{app}/roles/{role}``: the role editor (administrators only).

A page per role document: labels, design rights per app, the entity × action grid, the read
and write scope of each entity (own / department / department tree / all / custom conditions
built with the condition builder), to whom holders may assign records and the rule of each
field. The designer saves drafts and publishes through the metadata API, which checks the
document (JSON pointers pinned in the editor) and audits every save, discard and publish.
Roles decide who sees what, so only platform administrators edit them (docs/access.md); the
holders of a role are managed on the roles page (``/admin/apps/{app}/roles``).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse

from jimu.builder_ui.pages.designers.shell import designer_page, editable_document
from jimu.builder_ui.pages.records.scope import app_label
from jimu.builder_ui.pages.shell.rendering import Crumb
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.form.model import AppModel
from jimu.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.metadata.roles import ACTIONS, ASSIGN_KINDS, DESIGN_RIGHTS, FIELD_RULES, SCOPE_KINDS
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
PAGE = "/design/apps/{app}/roles/{role}"
NAME = re.compile(NAME_PATTERN)


def choices(viewer: Viewer, prefix: str, values: Any) -> list[dict[str, str]]:
    """``[{value, label}]`` with the labels of the server's catalogue (``access.*``)."""
    return [{"value": value, "label": viewer.t(f"{prefix}.{value}")} for value in values]


def entity_choices(model: AppModel, viewer: Viewer) -> list[dict[str, Any]]:
    """The published entities with their fields (for the grid and the field rules)."""
    return [
        {
            "name": name,
            "label": viewer.label(entity.label, name),
            "fields": [
                {"name": f.name, "label": viewer.label(f.label, f.name), "type": f.type}
                for f in entity.fields
            ],
        }
        for name, entity in sorted(model.entities.items())
    ]


def require_role_editor(viewer: Viewer) -> None:
    """Only platform administrators edit roles (docs/access.md, "The role editor")."""
    if not viewer.signed_in_user.is_admin:
        raise PermissionDenied("Only administrators may edit roles.")


def _document(conn: sa.Connection, app: str, role: str) -> dict[str, Any]:
    """The role's newest version (draft, else published), or a new role of that name."""

    def blank() -> dict[str, Any]:
        body = {"kind": "role", "name": role, "label": {"en": role}, "entities": {}}
        return body

    return editable_document(conn, app, "role", role, blank)


@router.get("/design/apps/{app}/new-role")
def new_role(app: str, viewer: SignedIn, role: str = Query(default="")) -> RedirectResponse:
    """The roles page's "New role" form: on to the editor of a role of that name."""
    require_role_editor(viewer)
    if not NAME.fullmatch(role):
        raise ValidationFailed(
            "The role's name is not valid.",
            [FieldError("/role", "must be a-z, 0-9 and _, starting with a letter", "pattern")],
        )
    return RedirectResponse(f"/design/apps/{app}/roles/{role}", status_code=303)


@router.get(PAGE, response_class=HTMLResponse)
def role_editor(
    request: Request, app: str, role: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    require_role_editor(viewer)
    if not NAME.fullmatch(role):
        raise NotFound(f"There is no role {role!r}.")
    with platform.engine.connect() as conn:
        model = platform.apps.records(conn, app).model
        data = {
            **_document(conn, app, role),
            "app": app,
            "role": role,
            "entities": entity_choices(model, viewer),
            "actions": choices(viewer, "access.action", ACTIONS),
            "scope_kinds": choices(viewer, "access.scope", SCOPE_KINDS),
            "assign_kinds": choices(viewer, "access.assign", ASSIGN_KINDS),
            "design_rights": choices(viewer, "access.design", DESIGN_RIGHTS),
            "field_rules": list(FIELD_RULES),
            "api": f"/api/apps/{app}",
            "roles_url": f"/admin/apps/{app}/roles",
        }
    title = viewer.t("designer.role.title")
    label = viewer.label(data["document"].get("label"), role)
    crumbs = [
        Crumb(app_label(model, viewer), f"/apps/{app}"),
        Crumb(viewer.t("roles.title"), f"/admin/apps/{app}/roles"),
        Crumb(label),
    ]
    return designer_page(
        request, viewer, "role", title=f"{label} · {title}", crumbs=crumbs, data=data
    )
