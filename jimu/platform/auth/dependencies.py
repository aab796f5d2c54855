"""FastAPI dependencies: who is calling (session cookie or Bearer token), and CSRF checks.

Use the ``Annotated`` aliases in routes::

    @router.get("/things")
    def things(user: CurrentUser) -> ...

A request authenticated by the session cookie with an unsafe method (POST, PUT, PATCH,
DELETE) must carry the session's CSRF token in the ``X-CSRF-Token`` header or in a
``csrf_token`` form field; Bearer-token requests need none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request

from jimu.errors import NotAuthenticated, PermissionDenied
from jimu.platform.auth.api_tokens import live_token
from jimu.platform.auth.crypto import tokens_match
from jimu.platform.auth.sessions import COOKIE_NAME, load_session
from jimu.platform.dependencies import Db
from jimu.platform.models import ApiToken, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Principal:
    """The authenticated caller and how they authenticated."""

    user: User
    via: Literal["session", "token"]
    session_token: str | None = None
    csrf_token: str | None = None
    #: The API token used (its ``access`` and ``apps`` limit what the call may do).
    token: ApiToken | None = None


async def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token the request carries (header first, then a form field)."""
    header = request.headers.get(CSRF_HEADER)
    if header or request.method in SAFE_METHODS:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FORM_FIELD)
        return value if isinstance(value, str) else None
    return None


def bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def optional_principal(
    request: Request,
    db: Db,
    submitted_csrf: Annotated[str | None, Depends(submitted_csrf_token)],
) -> Principal | None:
    """The caller, or None if anonymous. A bad token or a missing CSRF token raise."""
    token = bearer_token(request)
    if token is not None:
        found = live_token(db, token)
        if found is None:
            raise NotAuthenticated("The API token is not valid, or has expired or been revoked.")
        return Principal(user=found[1], via="token", token=found[0])
    cookie = request.cookies.get(COOKIE_NAME)
    loaded = load_session(db, cookie) if cookie else None
    if loaded is None:
        return None
    row, user = loaded
    if request.method not in SAFE_METHODS and not tokens_match(row.csrf_token, submitted_csrf):
        raise PermissionDenied(
            f"The CSRF token is missing or wrong: send it in the {CSRF_HEADER} header "
            f"or the {CSRF_FORM_FIELD} form field.",
            extra={"reason": "csrf"},
        )
    return Principal(user=user, via="session", session_token=cookie, csrf_token=row.csrf_token)


def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


def current_user(principal: Annotated[Principal, Depends(current_principal)]) -> User:
    return principal.user


def require_admin(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise PermissionDenied("Only administrators may do this.")
    return user


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(require_admin)]
