"""``/account/tokens``: your personal API tokens: list, create (the secret is shown once) and
revoke. The rules live in :mod:`jimu.platform.auth.api_tokens`; this page only parses the form.

The expiry is a date in the viewer's time zone: the token works through that whole day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse

from jimu.builder_ui.pages.records.form_errors import input_name
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import FieldError, ValidationFailed
from jimu.platform import metadata_store
from jimu.platform.api.params import TokenId
from jimu.platform.auth.api_tokens import issue_token, list_tokens, revoke_token
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import ApiToken
from jimu.platform.security.audit_log import client_ip
from jimu.platform.state import Platform

router = APIRouter()
PAGE = "/account/tokens"
#: API pointers and the page's input names, where they differ.
INPUTS = {"expires_at": "expires"}


@dataclass
class TokenForm:
    """What the create form holds (kept when it is shown again with errors)."""

    name: str = ""
    access: str = "write"
    app_scope: str = "all"
    apps: list[str] = field(default_factory=list)
    expires: str = ""


def _render(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    *,
    form: TokenForm | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    secret: str | None = None,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    with platform.sessions() as db:
        tokens: list[ApiToken] = list_tokens(db, viewer.signed_in_user)
        apps = metadata_store.apps(db.connection())
    title = viewer.t("tokens.title")
    return render(
        request,
        viewer,
        "account/tokens.html",
        status=status,
        crumbs=[Crumb(title)],
        notice=notice,
        title=title,
        tokens=tokens,
        apps=apps,
        form=form or TokenForm(),
        errors=errors or {},
        general=general or [],
        secret=secret,
    )


@router.get(PAGE, response_class=HTMLResponse)
def tokens_page(request: Request, viewer: SignedIn, platform: PlatformDep) -> HTMLResponse:
    return _render(request, viewer, platform)


def _form_of(data: FormData) -> TokenForm:
    def text(name: str) -> str:
        value = data.get(name)
        return value.strip() if isinstance(value, str) else ""

    return TokenForm(
        name=text("name"),
        access=text("access") or "write",
        app_scope="some" if text("app_scope") == "some" else "all",
        apps=[a for a in data.getlist("apps") if isinstance(a, str)],
        expires=text("expires"),
    )


def expiry_of(text: str, viewer: Viewer) -> tuple[datetime | None, list[FieldError]]:
    """The end of the day ``text`` (``YYYY-MM-DD``) in the viewer's time zone, or None; or
    the error of a text that is no date."""
    if not text:
        return None, []
    try:
        day = date.fromisoformat(text)
    except ValueError:
        message = viewer.t("tokens.bad_date", value=text)
        return None, [FieldError("/expires_at", message, "format")]
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=viewer.time_zone), []


@router.post(PAGE, response_class=HTMLResponse)
def create_token(
    request: Request, viewer: SignedIn, platform: PlatformDep, posted: PostedForm
) -> HTMLResponse:
    """Create a token and show its secret this once (a token cannot call this: see
    ``check_token_scope``). Every bad field is reported at once; nothing is kept unless all
    are good."""
    form = _form_of(posted)
    expires_at, date_errors = expiry_of(form.expires, viewer)
    try:
        with platform.write_sessions() as db:
            try:
                issued = issue_token(
                    db,
                    viewer.signed_in_user,
                    form.name,
                    expires_at,
                    access=form.access,
                    apps=form.apps if form.app_scope == "some" else None,
                    ip=client_ip(request),
                )
            except ValidationFailed as failed:
                raise ValidationFailed(failed.message, date_errors + failed.errors) from None
            if date_errors:  # leaves the session without committing
                raise ValidationFailed("The token is not valid.", date_errors)
            db.commit()
    except ValidationFailed as failed:
        return _render_errors(request, viewer, platform, form, failed)
    notice = Notice("success", viewer.t("tokens.created", name=issued.row.name))
    return _render(request, viewer, platform, secret=issued.token, notice=notice)


def _render_errors(
    request: Request, viewer: Viewer, platform: Platform, form: TokenForm, failed: ValidationFailed
) -> HTMLResponse:
    """The page again (422) with each message next to its input, the form as it was sent."""
    errors: dict[str, str] = {}
    general: list[str] = []
    for error in failed.errors:
        name = input_name(error.pointer).split(".")[0]
        if name in {"name", "access", "apps", "expires_at"}:
            errors.setdefault(INPUTS.get(name, name), error.message)
        else:
            general.append(error.message)
    notice = Notice("error", viewer.t("tokens.fix_errors"))
    return _render(
        request,
        viewer,
        platform,
        form=form,
        errors=errors,
        general=general,
        notice=notice,
        status=422,
    )


@router.post(PAGE + "/{token_id:int}/revoke")
def revoke(
    request: Request, token_id: TokenId, viewer: SignedIn, platform: PlatformDep
) -> RedirectResponse:
    with platform.write_sessions() as db:
        revoke_token(db, viewer.signed_in_user, token_id, ip=client_ip(request))
        db.commit()
    return RedirectResponse(PAGE, status_code=303)
