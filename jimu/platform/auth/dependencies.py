"""FastAPI dependencies: who is calling (session cookie or Bearer token), and CSRF checks.

Use the ``Annotated`` aliases in routes::

    @router.get("/things")
    def things(user: CurrentUser) -> ...

A request authenticated by the session cookie with an unsafe method (POST, PUT, PATCH,
DELETE) must come from Jimu's own origin (``Origin`` or ``Referer``, see
:mod:`jimu.platform.auth.origin`) and carry the session's CSRF token in the ``X-CSRF-Token``
header or in a ``csrf_token`` form field; Bearer-token requests need neither, but are held to
the token's scope by :func:`check_token_scope` (every route that asks who is calling goes
through it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from jimu.errors import NotAuthenticated, PermissionDenied
from jimu.platform.auth.api_tokens import live_token, note_use, use_is_stale
from jimu.platform.auth.crypto import digest, tokens_match
from jimu.platform.auth.origin import check_same_origin
from jimu.platform.auth.sessions import COOKIE_NAME, idle_timeout, load_session
from jimu.platform.db import read_only
from jimu.platform.dependencies import Db, get_platform, get_settings
from jimu.platform.models import ApiToken, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: The one route that is not app-scoped but that an app-limited token may still call.
TOKEN_WHOAMI = ("GET", "/api/auth/me")
#: Creating tokens needs a signed-in session; a token cannot mint others (API or page).
TOKEN_CREATE = frozenset({("POST", "/api/auth/tokens"), ("POST", "/account/tokens")})
#: What a user who signed in with a temporary password may reach before choosing their own
#: (docs/org.md): the password form, signing out and who they are.
PASSWORD_CHANGE_PATHS = frozenset(
    {
        "/account/security",
        "/account/security/password",
        "/logout",
        "/logout/everywhere",
        "/api/auth/me",
        "/api/auth/password",
        "/api/auth/logout",
        "/api/auth/logout-everywhere",
    }
)
PASSWORD_CHANGE_REQUIRED = "password_change_required"


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


async def optional_principal(
    request: Request,
    db: Db,
    submitted_csrf: Annotated[str | None, Depends(submitted_csrf_token)],
) -> Principal | None:
    """The caller, or None if anonymous. A bad token or a missing CSRF token raise.

    A Bearer token looked up a moment ago (``token_cache``) is answered here, on the event
    loop: no query, no worker thread. Any other lookup is a short read of its own in a worker
    thread: it ends (and gives its connection back to the pool) before the route runs, so a
    request never holds one connection while asking for another.
    """
    token = bearer_token(request)
    if token is not None and (known := _known_token(request, token)) is not None:
        return known
    return await run_in_threadpool(_looked_up, request, db, submitted_csrf)


def _known_token(request: Request, token: str) -> Principal | None:
    """The caller of a cached token whose use needs no write now, else None."""
    found = get_platform(request).tokens.get(digest(token))
    if found is None or use_is_stale(found[0], datetime.now(UTC)):
        return None
    check_token_scope(request, found[0])
    return Principal(user=found[1], via="token", token=found[0])


def _looked_up(request: Request, db: Db, submitted_csrf: str | None) -> Principal | None:
    with read_only(db):
        return _principal(request, db, submitted_csrf)


def _principal(request: Request, db: Db, submitted_csrf: str | None) -> Principal | None:
    token = bearer_token(request)
    if token is not None:
        tokens = get_platform(request).tokens
        found = live_token(db, token, tokens)
        if found is None:
            raise NotAuthenticated("The API token is not valid, or has expired or been revoked.")
        check_token_scope(request, found[0])
        note_use(db, found[0], tokens)
        return Principal(user=found[1], via="token", token=found[0])
    cookie = request.cookies.get(COOKIE_NAME)
    loaded = load_session(db, cookie, idle_timeout(request)) if cookie else None
    if loaded is None:
        return None
    row, user = loaded
    if request.method not in SAFE_METHODS:
        check_same_origin(request, get_settings(request).base_url)
    if request.method not in SAFE_METHODS and not tokens_match(row.csrf_token, submitted_csrf):
        raise PermissionDenied(
            f"The CSRF token is missing or wrong: send it in the {CSRF_HEADER} header "
            f"or the {CSRF_FORM_FIELD} form field.",
            extra={"reason": "csrf"},
        )
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PermissionDenied(
            "Your password is a temporary one: choose your own first "
            "(POST /api/auth/password or the page /account/security).",
            extra={"reason": PASSWORD_CHANGE_REQUIRED},
        )
    return Principal(user=user, via="session", session_token=cookie, csrf_token=row.csrf_token)


def check_token_scope(request: Request, token: ApiToken) -> None:
    """Refuse (403) what ``token`` may not do on the route the request was routed to.

    - a token never creates tokens (only a signed-in session does);
    - a ``read`` token may only use safe methods (GET, HEAD, OPTIONS);
    - a token limited to some apps may only call routes whose path has an ``{app}`` among them,
      plus ``GET /api/auth/me``; every other route (users, organisation, token list, ...)
      is refused, since it is not about any one app.
    """
    route = request.scope.get("route")
    call = (request.method, str(getattr(route, "path", request.url.path)))
    if call in TOKEN_CREATE:
        raise PermissionDenied(
            "API tokens cannot create tokens: sign in and create it from your tokens page "
            "or with the session cookie.",
            extra={"reason": "token_scope"},
        )
    if token.access != "write" and request.method not in SAFE_METHODS:
        raise PermissionDenied(
            f"The API token {token.name!r} is read-only: it cannot {request.method} "
            f"{request.url.path}.",
            extra={"reason": "token_read_only"},
        )
    if token.apps is None or call == TOKEN_WHOAMI:
        return
    app = request.path_params.get("app")
    if app is None:
        raise PermissionDenied(
            f"The API token {token.name!r} is limited to the apps {', '.join(token.apps)}: "
            f"it cannot call {request.url.path}, which is not about one app.",
            extra={"reason": "token_apps"},
        )
    if app not in token.apps:
        raise PermissionDenied(
            f"The API token {token.name!r} is limited to the apps {', '.join(token.apps)}: "
            f"it cannot reach the app {app!r}.",
            extra={"reason": "token_apps"},
        )


#: The two ways to sign in, as OpenAPI security schemes. ``current_principal`` depends on
#: both (without reading them: ``_principal`` does), so every operation that needs a signed-in
#: caller declares them, and the ones anyone may call declare none.
API_TOKEN_SCHEME = HTTPBearer(
    scheme_name="apiToken",
    description="A personal API token (jimu_...): docs/api.md#api-tokens",
    auto_error=False,
)
SESSION_COOKIE_SCHEME = APIKeyCookie(
    name=COOKIE_NAME,
    scheme_name="sessionCookie",
    description="The session cookie of POST /api/auth/login (unsafe methods also need "
    "the X-CSRF-Token header)",
    auto_error=False,
)


# The ones below do no I/O: ``async`` so they run on the event loop, not in a worker thread.


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
    _token: Annotated[HTTPAuthorizationCredentials | None, Security(API_TOKEN_SCHEME)],
    _cookie: Annotated[str | None, Security(SESSION_COOKIE_SCHEME)],
) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


async def current_user(principal: Annotated[Principal, Depends(current_principal)]) -> User:
    return principal.user


async def require_admin(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise PermissionDenied("Only administrators may do this.")
    return user


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(require_admin)]
