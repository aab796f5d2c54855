"""``/admin/sign-in-throttles``: administrators see which addresses and usernames sign-in
throttling slows down (failures, until when they must wait, in the viewer's time zone) and
clear one, which forgets its failures at once (audited, docs/security.md)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import PermissionDenied
from jimu.platform.clock import ClockDep
from jimu.platform.dependencies import PlatformDep
from jimu.platform.security.audit_log import client_ip
from jimu.platform.security.backoff import SCOPES, Failures, ThrottlePolicy
from jimu.platform.security.throttle_admin import clear_failures, remembered_failures
from jimu.platform.security.throttle_store import KEY_LENGTH
from jimu.platform.state import Platform

router = APIRouter()
PAGE = "/admin/sign-in-throttles"


def _require_admin(viewer: Viewer) -> None:
    if not viewer.signed_in_user.is_admin:
        raise PermissionDenied("Only administrators may do this.")


def _moment(viewer: Viewer, at: datetime) -> str:
    return at.astimezone(viewer.time_zone).strftime("%Y-%m-%d %H:%M:%S")


def row_view(
    viewer: Viewer, failures: Failures, policy: ThrottlePolicy, now: datetime
) -> dict[str, object]:
    until = failures.waiting_until(policy, now)
    return {
        "scope": failures.scope,
        "scope_label": viewer.t(f"throttles.scope.{failures.scope}"),
        "key": failures.key,
        "failures": failures.count,
        "last_failure": _moment(viewer, failures.last_at),
        "waiting_until": _moment(viewer, until) if until else viewer.t("throttles.not_waiting"),
        "waiting": until is not None,
    }


def _render(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    now: datetime,
    *,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    policy = ThrottlePolicy.of(platform.settings)
    with platform.sessions() as db:
        found = remembered_failures(db, policy, now)
    return render(
        request,
        viewer,
        "admin/throttles.html",
        status=status,
        crumbs=[Crumb(viewer.t("throttles.title"))],
        notice=notice,
        title=viewer.t("throttles.title"),
        rows=[row_view(viewer, f, policy, now) for f in found],
    )


@router.get(PAGE, response_class=HTMLResponse)
def throttles_page(
    request: Request, viewer: SignedIn, platform: PlatformDep, clock: ClockDep
) -> HTMLResponse:
    _require_admin(viewer)
    query = request.query_params
    notice = None
    if "cleared" in query:
        notice = Notice("success", viewer.t("throttles.cleared", name=query["cleared"]))
    elif "nothing" in query:
        notice = Notice("error", viewer.t("throttles.nothing", name=query["nothing"]))
    return _render(request, viewer, platform, clock(), notice=notice)


@router.post(PAGE + "/clear")
def clear_throttle(
    request: Request, viewer: SignedIn, platform: PlatformDep, clock: ClockDep, posted: PostedForm
) -> Response:
    """Forget the failures of the posted ``scope`` and ``key``; back to the list, saying so
    (a scope or key that cannot be one is a 422 with the list)."""
    _require_admin(viewer)
    scope, key = str(posted.get("scope") or ""), str(posted.get("key") or "").strip()
    if scope not in SCOPES or not key or len(key) > KEY_LENGTH:
        notice = Notice("error", viewer.t("throttles.nothing", name=key[:KEY_LENGTH]))
        return _render(request, viewer, platform, clock(), notice=notice, status=422)
    with platform.write_sessions() as db:
        forgotten = clear_failures(db, scope, key, viewer.signed_in_user, client_ip(request))
        if forgotten is None:
            db.rollback()
            return RedirectResponse(f"{PAGE}?nothing={quote(key)}", status_code=303)
        db.commit()
    return RedirectResponse(f"{PAGE}?cleared={quote(key)}", status_code=303)
