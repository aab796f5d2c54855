"""``/invite/<token>``: a one-time link an administrator made (an invitation or a password
reset, docs/org.md). The page names the account and asks for a password twice; a good one uses
the link up, signs the user in and takes them to their apps. A used, expired or unknown link is
answered 410 with a page that says which and what to do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.auth.account_security import problem_text
from jimu.builder_ui.pages.auth.sign_in import HOME
from jimu.builder_ui.pages.shell.rendering import render
from jimu.builder_ui.pages.shell.viewer import Viewer, viewer_for
from jimu.errors import ValidationFailed
from jimu.platform.auth.cookies import set_session_cookie
from jimu.platform.auth.origin import check_same_origin
from jimu.platform.auth.sessions import start_session
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.models import User
from jimu.platform.org.invitations import INVITE_PATH, InvitationRefused, open_link, use_link
from jimu.platform.security.audit_log import client_ip
from jimu.platform.security.password_policy import PasswordPolicy
from jimu.platform.settings import Settings

router = APIRouter()
GONE = 410


def _viewer(request: Request) -> Viewer:
    """The visitor is not signed in (the link is their credential): language from the request."""
    viewer = viewer_for(request, None)
    request.state.viewer = viewer
    return viewer


def _refused(request: Request, viewer: Viewer, reason: str) -> HTMLResponse:
    return render(
        request,
        viewer,
        "auth/invite.html",
        status=GONE,
        refused=viewer.t(f"invite.refused_{reason}"),
        title=viewer.t("invite.title"),
    )


def _form(
    request: Request,
    viewer: Viewer,
    settings: Settings,
    user: User,
    purpose: str,
    token: str,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        viewer,
        "auth/invite.html",
        status=status,
        refused=None,
        title=viewer.t("invite.title"),
        intro=viewer.t(f"invite.intro_{purpose}", name=user.display_name or user.username),
        username=user.username,
        action=INVITE_PATH + token,
        min_length=settings.password_min_length,
        problems=problems or {},
    )


@router.get(INVITE_PATH + "{token}", response_class=HTMLResponse)
def show_invitation(request: Request, token: str, db: Db, settings: SettingsDep) -> Response:
    viewer = _viewer(request)
    try:
        invitation, user = open_link(db, token)
    except InvitationRefused as refused:
        return _refused(request, viewer, refused.reason)
    # The site-wide Referrer-Policy (same-origin) keeps the token from other sites.
    return _form(request, viewer, settings, user, invitation.purpose, token)


@router.post(INVITE_PATH + "{token}", response_class=HTMLResponse)
def accept_invitation(
    request: Request,
    token: str,
    db: Db,
    settings: SettingsDep,
    new_password: Annotated[str, Form()] = "",
    repeat_password: Annotated[str, Form()] = "",
) -> Response:
    check_same_origin(request, settings.base_url)
    viewer = _viewer(request)
    policy = PasswordPolicy.of(settings)
    try:
        invitation, user = open_link(db, token)
        purpose = invitation.purpose
        if new_password != repeat_password:
            problems = {"repeat_password": [viewer.t("security.repeat_differs")]}
            return _form(request, viewer, settings, user, purpose, token, problems, 422)
        try:
            user = use_link(db, token, new_password, policy, ip=client_ip(request))
        except ValidationFailed as failed:
            db.rollback()
            texts = [problem_text(viewer, p, policy) for p in failed.errors]
            problems = {"new_password": texts}
            return _form(request, viewer, settings, user, purpose, token, problems, 422)
    except InvitationRefused as refused:
        return _refused(request, viewer, refused.reason)
    started = start_session(db, user, timedelta(hours=settings.session_hours))
    db.commit()
    response = RedirectResponse(HOME, status_code=303)
    set_session_cookie(response, started, settings)
    return response
