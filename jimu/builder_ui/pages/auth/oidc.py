"""``/login/oidc``: single sign-on through the configured OpenID Connect provider.

``GET /login/oidc`` sends the browser to the provider with a fresh state, nonce and PKCE
challenge (kept in a signed, HttpOnly cookie for ten minutes); the provider sends it back to
``GET /login/oidc/callback``, which checks everything (``jimu.platform.security.oidc``), finds
or creates the user and starts a session. Every outcome is audited.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from jimu.builder_ui.pages.auth.sign_in import login_page, safe_next
from jimu.builder_ui.pages.shell.rendering import Notice
from jimu.builder_ui.pages.shell.viewer import AnyViewer, Viewer
from jimu.errors import NotFound
from jimu.platform.auth.cookies import clear_private_cookie, set_private_cookie, set_session_cookie
from jimu.platform.auth.sessions import start_session
from jimu.platform.db import will_write
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.security.audit_log import client_ip, log_event
from jimu.platform.security.oidc import (
    CALLBACK_PATH,
    Flow,
    OidcConfig,
    OidcError,
    begin,
    complete,
    discover,
    http_client,
)
from jimu.platform.security.oidc_accounts import claimed_username, user_for_identity
from jimu.platform.security.throttle import count_success
from jimu.platform.settings import Settings

router = APIRouter()
FLOW_COOKIE = "jimu_oidc_flow"
FLOW_PATH = "/login/oidc"
FLOW_SECONDS = 600


def _config(settings: Settings, request: Request) -> OidcConfig:
    config = OidcConfig.of(settings, str(request.base_url))
    if config is None:
        raise NotFound("Single sign-on is not set up (JIMU_OIDC_ISSUER, JIMU_OIDC_CLIENT_ID).")
    return config


def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="jimu-oidc-flow")


@router.get(FLOW_PATH)
def start_oidc(
    request: Request, viewer: AnyViewer, db: Db, settings: SettingsDep, next: str | None = None
) -> Response:
    config = _config(settings, request)
    next_url = safe_next(next)
    try:
        with http_client() as client:
            provider = discover(client, config.issuer)
    except OidcError as error:
        return _refused(request, viewer, db, settings, error, next_url, None, status=502)
    url, flow = begin(config, provider, next_url)
    response = RedirectResponse(url, status_code=303)
    set_private_cookie(
        response,
        FLOW_COOKIE,
        _signer(settings).dumps(flow.as_dict()),
        settings,
        max_age=FLOW_SECONDS,
        path=FLOW_PATH,
    )
    return response


@router.get(CALLBACK_PATH)
def oidc_callback(request: Request, viewer: AnyViewer, db: Db, settings: SettingsDep) -> Response:
    config = _config(settings, request)
    ip = client_ip(request)
    claims: dict[str, object] = {}
    next_url = "/apps"
    try:
        flow = _flow_of(request, settings)
        next_url = flow.next_url
        with http_client() as client:
            provider = discover(client, config.issuer)
            claims = complete(client, config, provider, flow, dict(request.query_params))
        will_write(db)  # a GET that reads the user and then writes the sign-in
        user = user_for_identity(db, config, claims)
    except OidcError as error:
        db.rollback()
        username = claimed_username(config, claims) if claims else None
        return _refused(request, viewer, db, settings, error, next_url, username, status=401)
    count_success(db, user.username)  # single sign-on proves it is them, like a password
    log_event(
        db,
        "sign_in",
        actor_id=user.id,
        username=user.username,
        ip=ip,
        detail={"method": "oidc", "issuer": config.issuer, "subject": str(claims["sub"])},
    )
    started = start_session(db, user, timedelta(hours=settings.session_hours))
    db.commit()
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, started, settings)
    clear_private_cookie(response, FLOW_COOKIE, settings, path=FLOW_PATH)
    return response


def _refused(
    request: Request,
    viewer: Viewer,
    db: Session,
    settings: Settings,
    error: OidcError,
    next_url: str,
    username: str | None,
    *,
    status: int,
) -> Response:
    """Audit the refusal and show the login page saying what went wrong."""
    log_event(
        db,
        "sign_in_failed",
        username=username,
        ip=client_ip(request),
        detail={"method": "oidc", "reason": error.reason, "message": error.message},
    )
    db.commit()
    notice = Notice("error", viewer.t("login.sso_failed", reason=error.message))
    page = login_page(request, viewer, settings, next_url=next_url, notice=notice, status=status)
    clear_private_cookie(page, FLOW_COOKIE, settings, path=FLOW_PATH)
    return page


def _flow_of(request: Request, settings: Settings) -> Flow:
    cookie = request.cookies.get(FLOW_COOKIE)
    if not cookie:
        raise OidcError(
            "no_flow", "The sign-in attempt expired or was started elsewhere; try again."
        )
    try:
        data = _signer(settings).loads(cookie, max_age=FLOW_SECONDS)
    except BadSignature as error:
        raise OidcError(
            "bad_flow", "The sign-in attempt expired or is not valid; try again."
        ) from error
    return Flow.from_dict(data)
