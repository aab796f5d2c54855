"""``/admin/apps/{app}/roles``: an app's published roles in words, who holds each, and forms to
give a role to a user or a department or to take it away (administrators only).

The rules come from the published role documents (``platform.apps.roles``) and the holders
from :mod:`jimu.platform.access.assignments`, which checks and audits every change; this page
only reads the form and says the rules in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.records.references import UserChoice, user_choices
from jimu.builder_ui.pages.records.scope import app_label, app_nav
from jimu.builder_ui.pages.shell.departments import (
    DepartmentChoice,
    department_choices,
    department_paths,
)
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.holders import posted_holder
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.expr import describe
from jimu.engines.form.model import AppModel, Entity
from jimu.errors import FieldError, PermissionDenied, ValidationFailed
from jimu.metadata.roles import ACTIONS
from jimu.platform.access import assignments
from jimu.platform.access.policy import OWNING_ACTIONS, RoleSpec
from jimu.platform.api.params import AssignmentId
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.state import Platform

router = APIRouter()
PAGE = "/admin/apps/{app}/roles"
#: ``?done=`` after a change: the notice it shows.
DONE_NOTICES = {"added": "roles.added", "removed": "roles.removed"}
#: System fields a scope condition may name, labelled from the ``system.*`` messages.
SYSTEM_FIELDS = ("id", "owner_id", "created_by", "updated_by", "created_at", "updated_at")


@dataclass(frozen=True)
class EntityRulesView:
    """One role's rules for one entity, in words."""

    entity: str
    label: str
    actions: list[str]
    scope: list[str]
    #: The write scope in words, or None when it is the read scope.
    write_scope: list[str] | None
    hidden: list[str]
    read_only: list[str]
    #: To whom holders may assign records, in words (None: the role neither creates nor
    #: changes records of the entity).
    assign_to: str | None = None


@dataclass(frozen=True)
class HolderView:
    id: int
    kind: str  # user / department
    name: str


@dataclass(frozen=True)
class RoleView:
    name: str
    label: str
    design: list[str]
    rules: list[EntityRulesView]
    holders: list[HolderView]


@dataclass
class HolderForm:
    """What an add form held (kept when the page comes back with its errors)."""

    role: str = ""
    user_id: str = ""
    department_id: str = ""
    errors: list[str] = field(default_factory=list)


# -- the rules in words ----------------------------------------------------------------------


def field_labels(entity: Entity, viewer: Viewer) -> dict[str, str]:
    """Field name → the label the viewer reads (system fields included)."""
    labels = {name: viewer.t(f"system.{name}") for name in SYSTEM_FIELDS}
    for f in entity.fields:
        labels[f.name] = viewer.label(f.label, f.name)
    return labels


def option_labels(entity: Entity, viewer: Viewer) -> dict[str, dict[str, str]]:
    """Choice field name → stored option value → the label the viewer reads."""
    return {
        f.name: {
            str(o["value"]): viewer.label(o.get("label"), str(o["value"]))
            for o in f.get("options") or []
        }
        for f in entity.fields
        if f.type in ("select", "multiselect")
    }


def scope_words(
    items: Iterable[Any],
    viewer: Viewer,
    labels: Mapping[str, str],
    options: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Each scope item as a phrase: "Own records", "Records where Status is won", …"""
    words = []
    for item in items:
        if isinstance(item, str):
            words.append(viewer.t(f"access.scope.{item}"))
        else:
            sentence = describe(item["condition"], viewer.language, labels, options)
            words.append(viewer.t("access.scope.condition", condition=sentence))
    return words


def rules_view(role: RoleSpec, model: AppModel, viewer: Viewer) -> list[EntityRulesView]:
    views = []
    for name, rules in role.entities.items():
        entity = model.entities.get(name)
        labels = field_labels(entity, viewer) if entity is not None else {}
        options = option_labels(entity, viewer) if entity is not None else {}
        label = viewer.label(entity.label, name) if entity is not None else name
        scope = scope_words(rules.scope, viewer, labels, options)
        write = scope_words(rules.write_scope, viewer, labels, options)
        write_applies = bool({"update", "delete"} & rules.actions)
        owning = bool(OWNING_ACTIONS & rules.actions)
        fields = sorted(rules.fields.items(), key=lambda item: labels.get(item[0], item[0]))
        views.append(
            EntityRulesView(
                entity=name,
                label=label,
                actions=[viewer.t(f"access.action.{a}") for a in ACTIONS if a in rules.actions],
                scope=scope,
                write_scope=write if write_applies and write != scope else None,
                hidden=[labels.get(n, n) for n, rule in fields if rule == "hidden"],
                read_only=[labels.get(n, n) for n, rule in fields if rule == "read_only"],
                assign_to=viewer.t(f"access.assign.{rules.assign_to}") if owning else None,
            )
        )
    return sorted(views, key=lambda v: v.label)


def holder_views(
    holders: Iterable[Mapping[str, Any]], paths: Mapping[int, str]
) -> list[HolderView]:
    views = []
    for holder in holders:
        if "user_id" in holder:
            views.append(HolderView(int(holder["id"]), "user", str(holder["name"])))
        else:
            department = int(holder["department_id"])
            name = paths.get(department, str(holder["name"]))
            views.append(HolderView(int(holder["id"]), "department", name))
    return views


def role_views(
    roles: Sequence[RoleSpec],
    members: Mapping[str, list[dict[str, Any]]],
    paths: Mapping[int, str],
    model: AppModel,
    viewer: Viewer,
) -> list[RoleView]:
    return [
        RoleView(
            name=role.name,
            label=viewer.label(role.label, role.name),
            design=[viewer.t(f"access.design.{right}") for right in sorted(role.app_admin)],
            rules=rules_view(role, model, viewer),
            holders=holder_views(members.get(role.name, []), paths),
        )
        for role in roles
    ]


# -- the posted holder -----------------------------------------------------------------------


def error_texts(errors: Iterable[FieldError]) -> list[str]:
    return [e.message for e in errors]


# -- the page --------------------------------------------------------------------------------


def _require_admin(viewer: Viewer) -> None:
    if not viewer.signed_in_user.is_admin:
        raise PermissionDenied("Only administrators may do this.")


def _choices(conn: sa.Connection) -> tuple[list[UserChoice], list[DepartmentChoice]]:
    return user_choices(conn), department_choices(conn)


def _render(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    app: str,
    *,
    form: HolderForm | None = None,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        model = platform.apps.records(conn, app).model
        roles = platform.apps.roles(conn, app)
        members = assignments.role_members(conn, app)
        held = [h["department_id"] for hs in members.values() for h in hs if "department_id" in h]
        paths = department_paths(conn, held)
        users, departments = _choices(conn)
    views = role_views(roles, members, paths, model, viewer)
    published = {role.name for role in roles}
    stale = {
        role: holder_views(holders, paths)
        for role, holders in sorted(members.items())
        if role not in published
    }
    label = app_label(model, viewer)
    title = viewer.t("roles.title")
    return render(
        request,
        viewer,
        "admin/roles.html",
        status=status,
        crumbs=[Crumb(label, f"/apps/{app}"), Crumb(title)],
        nav=app_nav(model, viewer),
        notice=notice,
        title=title,
        app=app,
        roles=views,
        stale=stale,
        users=users,
        departments=departments,
        form=form or HolderForm(),
    )


@router.get(PAGE, response_class=HTMLResponse)
def roles_page(request: Request, app: str, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    _require_admin(viewer)
    done = DONE_NOTICES.get(request.query_params.get("done", ""))
    notice = Notice("success", viewer.t(done)) if done else None
    return _render(request, viewer, platform, app, notice=notice)


@router.post(PAGE + "/{role}/members", response_class=HTMLResponse)
def add_member(
    request: Request,
    app: str,
    role: str,
    viewer: SignedIn,
    platform: PlatformDep,
    posted: PostedForm,
) -> Response:
    """Give ``role`` to the chosen user or department; the page again with the errors."""
    _require_admin(viewer)
    user_id, department_id, errors = posted_holder(posted, viewer)
    if not errors:
        try:
            with begin_write(platform.engine) as conn:
                roles = platform.apps.roles(conn, app)
                assignments.assign_role(
                    conn,
                    app,
                    roles,
                    role,
                    user_id=user_id,
                    department_id=department_id,
                    actor_id=viewer.signed_in_user.id,
                )
        except ValidationFailed as failed:
            errors = failed.errors or [FieldError("", failed.message)]
    if errors:
        form = HolderForm(
            role=role,
            user_id=str(posted.get("user_id") or ""),
            department_id=str(posted.get("department_id") or ""),
            errors=error_texts(errors),
        )
        notice = Notice("error", viewer.t("roles.fix_errors"))
        return _render(request, viewer, platform, app, form=form, notice=notice, status=422)
    return RedirectResponse(f"/admin/apps/{app}/roles?done=added", status_code=303)


@router.post(PAGE + "/members/{assignment_id:int}/delete")
def remove_member(
    app: str, assignment_id: AssignmentId, viewer: SignedIn, platform: PlatformDep
) -> RedirectResponse:
    """Take a role away from its holder (NotFound if the assignment is not of this app)."""
    _require_admin(viewer)
    with begin_write(platform.engine) as conn:
        platform.apps.roles(conn, app)
        assignments.unassign_role(conn, app, assignment_id, actor_id=viewer.signed_in_user.id)
    return RedirectResponse(f"/admin/apps/{app}/roles?done=removed", status_code=303)
