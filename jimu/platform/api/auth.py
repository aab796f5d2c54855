"""``/api/auth``: log in and out with the session cookie, and manage personal API tokens."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from jimu.errors import FieldError, NotAuthenticated, ValidationFailed
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
from jimu.platform.auth.sessions import end_session, start_session
from jimu.platform.auth.users import authenticate, set_password
from jimu.platform.dependencies import Db, SettingsDep

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
def login(body: LoginRequest, response: Response, db: Db, settings: SettingsDep) -> MeOut:
    """Check the password and set the session cookie; answers with the CSRF token."""
    user = authenticate(db, body.username, body.password)
    if user is None:
        raise NotAuthenticated("The username or password is wrong.")
    started = start_session(db, user, timedelta(hours=settings.session_hours))
    db.commit()
    set_session_cookie(response, started, settings)
    return MeOut(user=UserOut.of(user), csrf_token=started.csrf_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(principal: CurrentPrincipal, db: Db, settings: SettingsDep) -> Response:
    if principal.session_token is not None:
        end_session(db, principal.session_token)
        db.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, settings)
    return response


@router.get("/me")
def me(principal: CurrentPrincipal) -> MeOut:
    return MeOut(user=UserOut.of(principal.user), csrf_token=principal.csrf_token)


@router.get("/tokens")
def tokens(user: CurrentUser, db: Db) -> list[TokenOut]:
    return [TokenOut.of(row) for row in list_tokens(db, user)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(body: TokenRequest, request: Request, user: CurrentUser, db: Db) -> IssuedTokenOut:
    """Only a signed-in session may create tokens (a Bearer call is refused, 403)."""
    ip = request.client.host if request.client else None
    issued = issue_token(
        db, user, body.name, body.expires_at, access=body.access, apps=body.apps, ip=ip
    )
    db.commit()
    return IssuedTokenOut(token=issued.token, **TokenOut.of(issued.row).model_dump())


@router.delete("/tokens/{token_id}")
def delete_token(token_id: int, request: Request, user: CurrentUser, db: Db) -> TokenOut:
    row = revoke_token(db, user, token_id, ip=request.client.host if request.client else None)
    db.commit()
    return TokenOut.of(row)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, user: CurrentUser, db: Db) -> Response:
    """Change your own password (the current one is asked for again)."""
    if authenticate(db, user.username, body.current_password) is None:
        raise ValidationFailed(
            "The current password is wrong.",
            [FieldError("/current_password", "This is not your current password.", "wrong")],
        )
    set_password(user, body.new_password, pointer="/new_password")
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
