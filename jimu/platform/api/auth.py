"""``/api/auth``: log in and out with the session cookie, and manage personal API tokens.

Sign-in is hardened (docs/security.md): throttling of failed password checks per address and
per username (429 with ``Retry-After``), a password policy,
idle and absolute session expiry, and every sign-in, failure and sign-out in the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response, status

from jimu.errors import JimuError
from jimu.platform.api.params import TokenId
from jimu.platform.api.schemas import (
    IssuedTokenOut,
    LoginRequest,
    MeOut,
    PasswordChange,
    TokenOut,
    TokenRequest,
    UserOut,
)
from jimu.platform.auth.api_tokens import issue_token, list_tokens, revoke_token
from jimu.platform.auth.cookies import clear_session_cookie, set_session_cookie
from jimu.platform.auth.dependencies import CurrentPrincipal, CurrentUser
from jimu.platform.auth.sessions import end_session, end_user_sessions, start_session
from jimu.platform.clock import ClockDep
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.security.account import change_own_password
from jimu.platform.security.audit_log import client_ip, log_event
from jimu.platform.security.backoff import ThrottlePolicy
from jimu.platform.security.password_policy import PasswordPolicy
from jimu.platform.security.sign_in import sign_in_with_password

router = APIRouter(prefix="/api/auth", tags=["auth"])
#: The answer of a password check that must wait (docs/security.md, "Sign-in throttling").
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many failed password checks from this address or for this "
        "username: `reason` says which, `retry_after` and `retry_at` when to try again",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
}


@router.post("/login", responses=THROTTLED)
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    db: Db,
    settings: SettingsDep,
    clock: ClockDep,
) -> MeOut:
    """Check the password and set the session cookie; answers with the CSRF token.

    429 with ``Retry-After`` (and ``reason``, ``retry_after``, ``retry_at``) while failed
    sign-ins from this address, or against this username, make it wait.
    """
    attempt = sign_in_with_password(
        db,
        body.username,
        body.password,
        ThrottlePolicy.of(settings),
        ip=client_ip(request),
        now=clock(),
    )
    db.commit()
    user = attempt.user
    if user is None:
        raise attempt.error()
    started = start_session(db, user, timedelta(hours=settings.session_hours))
    db.commit()
    set_session_cookie(response, started, settings)
    return MeOut(user=UserOut.of(user), csrf_token=started.csrf_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    principal: CurrentPrincipal, request: Request, db: Db, settings: SettingsDep
) -> Response:
    if principal.session_token is not None:
        end_session(db, principal.session_token)
        log_sign_out(db, principal.user.id, principal.user.username, request, everywhere=False)
        db.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, settings)
    return response


@router.post("/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT)
def logout_everywhere(
    principal: CurrentPrincipal, request: Request, db: Db, settings: SettingsDep
) -> Response:
    """End every session of the caller (on every device), this one included."""
    ended = end_user_sessions(db, principal.user.id)
    log_sign_out(
        db, principal.user.id, principal.user.username, request, everywhere=True, ended=ended
    )
    db.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, settings)
    return response


def log_sign_out(
    db: Db, user_id: int, username: str, request: Request, *, everywhere: bool, ended: int = 1
) -> None:
    detail = {"everywhere": everywhere, "sessions_ended": ended}
    log_event(
        db, "sign_out", actor_id=user_id, username=username, ip=client_ip(request), detail=detail
    )


@router.get("/me")
def me(principal: CurrentPrincipal) -> MeOut:
    return MeOut(user=UserOut.of(principal.user), csrf_token=principal.csrf_token)


@router.get("/tokens")
def tokens(user: CurrentUser, db: Db) -> list[TokenOut]:
    return [TokenOut.of(row) for row in list_tokens(db, user)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(body: TokenRequest, request: Request, user: CurrentUser, db: Db) -> IssuedTokenOut:
    """Only a signed-in session may create tokens (a Bearer call is refused, 403)."""
    issued = issue_token(
        db,
        user,
        body.name,
        body.expires_at,
        access=body.access,
        apps=body.apps,
        ip=client_ip(request),
    )
    db.commit()
    return IssuedTokenOut(token=issued.token, **TokenOut.of(issued.row).model_dump())


@router.delete("/tokens/{token_id}")
def delete_token(token_id: TokenId, request: Request, user: CurrentUser, db: Db) -> TokenOut:
    row = revoke_token(db, user, token_id, ip=client_ip(request))
    db.commit()
    return TokenOut.of(row)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT, responses=THROTTLED)
def change_password(
    body: PasswordChange,
    principal: CurrentPrincipal,
    request: Request,
    db: Db,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """Change your own password (the current one is asked for again). Your other sessions
    end; this one stays signed in. The current password is throttled like signing in (429)."""
    try:
        change_own_password(
            db,
            principal.user,
            body.current_password,
            body.new_password,
            PasswordPolicy.of(settings),
            ThrottlePolicy.of(settings),
            keep_session=principal.session_token,
            ip=client_ip(request),
            now=clock(),
        )
    except JimuError:
        db.commit()  # nothing was changed but the failure's count and audit
        raise
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
