"""``.../{id}/shares``: the record page's Sharing panel — who else may read or change this one
record — and its forms to share the record with a user or a department and to stop sharing.

Only someone who may change the record may share it (``require_rows(..., "update")``: out of
their read scope is "not found", readable but not changeable is forbidden). The shares are
written and audited by :mod:`jimu.platform.access.assignments`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.records.references import UserChoice, user_choices, user_names
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.departments import (
    DepartmentChoice,
    department_choices,
    department_paths,
)
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.holders import posted_holder
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.access import assignments
from jimu.platform.api.params import RecordId, ShareId
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
SHARES = "/apps/{app}/{entity}/{record_id:int}/shares"
#: ``?shared=`` after a change: the notice the record page shows.
DONE_NOTICES = {"added": "sharing.added", "removed": "sharing.removed"}


@dataclass(frozen=True)
class ShareView:
    id: int
    kind: str  # user / department
    name: str
    access: str  # read / write


@dataclass
class ShareForm:
    """What the share form held (kept when the page comes back with its errors)."""

    user_id: str = ""
    department_id: str = ""
    access: str = "read"
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SharingPanel:
    url: str
    shares: list[ShareView]
    users: list[UserChoice]
    departments: list[DepartmentChoice]
    form: ShareForm


def sharing_panel(
    conn: sa.Connection, scope: EntityScope, record_id: int, form: ShareForm | None = None
) -> SharingPanel:
    """The record's shares with the names of their holders, and the pickers of the form."""
    shares = assignments.record_shares(conn, scope.app, scope.name, record_id)
    names = user_names(conn, {s["user_id"] for s in shares if s["user_id"] is not None})
    paths = department_paths(
        conn, [s["department_id"] for s in shares if s["department_id"] is not None]
    )
    views = [
        ShareView(int(s["id"]), "user", names.get(s["user_id"], f"#{s['user_id']}"), s["access"])
        if s["user_id"] is not None
        else ShareView(
            int(s["id"]),
            "department",
            paths.get(s["department_id"], f"#{s['department_id']}"),
            s["access"],
        )
        for s in shares
    ]
    return SharingPanel(
        url=f"{scope.record_url(record_id)}/shares",
        shares=views,
        users=user_choices(conn),
        departments=department_choices(conn),
        form=form or ShareForm(),
    )


def _posted_access(posted: FormData, viewer: Viewer) -> tuple[str, list[FieldError]]:
    access = posted.get("access")
    if access in assignments.SHARE_ACCESS:
        return str(access), []
    return "", [FieldError("/access", viewer.t("sharing.bad_access"), "enum")]


@router.post(SHARES, response_class=HTMLResponse)
def add_share(
    request: Request,
    app: str,
    entity: str,
    record_id: RecordId,
    viewer: SignedIn,
    platform: PlatformDep,
    posted: PostedForm,
) -> Response:
    """Share the record with the chosen user or department for reading or for writing."""
    user_id, department_id, errors = posted_holder(posted, viewer)
    access, access_errors = _posted_access(posted, viewer)
    errors += access_errors
    try:
        with begin_write(platform.engine) as conn:
            scope = EntityScope.open(platform, conn, viewer, app, entity)
            scope.records.require_rows(conn, scope.name, [record_id], "update")
            if errors:
                raise ValidationFailed("The share is not valid.", errors)
            assignments.share_record(
                conn,
                app,
                scope.name,
                record_id,
                access,
                user_id=user_id,
                department_id=department_id,
                actor_id=viewer.signed_in_user.id,
            )
    except ValidationFailed as failed:
        # Imported here: the record page imports this module for its Sharing panel.
        from jimu.builder_ui.pages.records.record_page import show_record

        form = ShareForm(
            user_id=str(posted.get("user_id") or ""),
            department_id=str(posted.get("department_id") or ""),
            access=str(posted.get("access") or "read"),
            errors=[e.message for e in failed.errors] or [failed.message],
        )
        return show_record(
            request, viewer, platform, app, entity, record_id, share_form=form, status=422
        )
    return RedirectResponse(f"{scope.record_url(record_id)}?shared=added", status_code=303)


@router.post(SHARES + "/{share_id:int}/delete")
def remove_share(
    app: str,
    entity: str,
    record_id: RecordId,
    share_id: ShareId,
    viewer: SignedIn,
    platform: PlatformDep,
) -> RedirectResponse:
    """Stop sharing the record with one holder (NotFound if the share is not of this record)."""
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.records.require_rows(conn, scope.name, [record_id], "update")
        assignments.unshare_record(
            conn, app, scope.name, record_id, share_id, actor_id=viewer.signed_in_user.id
        )
    return RedirectResponse(f"{scope.record_url(record_id)}?shared=removed", status_code=303)
