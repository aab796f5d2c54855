"""``/apps/{app}/{entity}/my-views``: a user saves the record list as they see it under a name
of their own, and deletes it again; the list page offers their saved views (docs/views.md)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response

from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.errors import ValidationFailed
from jimu.platform import saved_views
from jimu.platform.api.params import RecordId
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep

router = APIRouter()
#: ``?my_view_problem=`` values the list page words (see list_page.py).
PROBLEMS = {"limit": "too_many"}


def _url(base: str, params: list[tuple[str, str]], **more: str) -> str:
    query = urlencode([*params, *more.items()])
    return f"{base}?{query}" if query else base


@router.post("/apps/{app}/{entity}/my-views")
def save_my_view(
    app: str, entity: str, viewer: SignedIn, platform: PlatformDep, form: PostedForm
) -> Response:
    """Save the list state posted in ``params`` (the list's query string) as ``name``."""
    name = str(form.get("name") or "")
    params = [
        (k, v)
        for k, v in parse_qsl(str(form.get("params") or ""), keep_blank_values=False)
        if k in saved_views.KEPT_PARAMS
    ]
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("read")
        try:
            saved_views.save(conn, viewer.signed_in_user.id, app, scope.name, name, params)
        except ValidationFailed as error:
            code = next((PROBLEMS[e.code] for e in error.errors if e.code in PROBLEMS), "bad_name")
            return RedirectResponse(_url(scope.url, params, my_view_problem=code), 303)
    return RedirectResponse(_url(scope.url, params, notice="view_saved"), 303)


@router.post("/apps/{app}/{entity}/my-views/{view_id}/delete")
def delete_my_view(
    app: str, entity: str, view_id: RecordId, viewer: SignedIn, platform: PlatformDep
) -> Response:
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        saved_views.delete(conn, viewer.signed_in_user.id, app, scope.name, view_id)
    return RedirectResponse(f"{scope.url}?notice=view_deleted", 303)
