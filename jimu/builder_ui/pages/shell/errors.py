"""Errors on pages are pages: HTML with the message in the viewer's language.

The platform renders every error as ``application/problem+json``. For the server-rendered
pages (any path outside ``/api`` and ``/static``) these handlers answer with an HTML error page
instead, and send anonymous visitors to the login page; API paths keep the platform's handlers.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from jimu.builder_ui.pages.shell.error_messages import in_language
from jimu.builder_ui.pages.shell.rendering import STATIC_PREFIX, render
from jimu.builder_ui.pages.shell.viewer import request_viewer
from jimu.errors import JimuError, NotAuthenticated
from jimu.platform import problems
from jimu.platform.auth.dependencies import PASSWORD_CHANGE_REQUIRED
from jimu.platform.input_guard import RefusedInput

log = logging.getLogger(__name__)
API_PREFIX = "/api"
#: Where a user whose password is a temporary one is sent (docs/org.md).
MUST_CHANGE_PAGE = "/account/security?notice=must_change"
KNOWN_STATUSES = frozenset({400, 401, 403, 404, 409, 422, 500})


def is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith(API_PREFIX) or path.startswith(STATIC_PREFIX + "/"))


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def error_page(request: Request, status: int, detail: str = "", csrf: bool = False) -> Response:
    """The error page in the viewer's language, its explanation too (see error_messages)."""
    viewer = request_viewer(request)
    key = f"error.{status}" if status in KNOWN_STATUSES else "error.500"
    return render(
        request,
        viewer,
        "errors/error.html",
        status=status,
        code=status,
        heading=viewer.t("error.csrf") if csrf else viewer.t(key),
        detail=in_language(detail, viewer.language),
    )


async def page_jimu_error(request: Request, exc: Exception) -> Response:
    if not is_page(request):
        return await problems.handle_jimu_error(request, exc)
    assert isinstance(exc, JimuError)
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    if exc.extra.get("reason") == PASSWORD_CHANGE_REQUIRED:
        return RedirectResponse(MUST_CHANGE_PAGE, status_code=303)
    csrf = exc.extra.get("reason") == "csrf"
    return error_page(request, exc.status, "" if csrf else exc.message, csrf=csrf)


async def page_http_error(request: Request, exc: Exception) -> Response:
    if not is_page(request):
        return await problems.handle_http_exception(request, exc)
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, RefusedInput):
        return error_page(request, exc.error.status, str(exc.error))
    response = error_page(request, exc.status_code)
    response.headers.update(problems.http_error_headers(request, exc))
    return response


async def page_unexpected_error(request: Request, exc: Exception) -> Response:
    if not is_page(request):
        return await problems.handle_unexpected(request, exc)
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_page(request, 500)


async def page_validation_error(request: Request, exc: Exception) -> Response:
    """A bad query or form value is a 400 page; a path no record or row can have (an id of 0,
    or past 2^63 - 1: a page's ids are bounded like the API's) is a 404 page."""
    if not is_page(request):
        return await problems.handle_request_validation(request, exc)
    assert isinstance(exc, RequestValidationError)
    if any(tuple(error.get("loc", ()))[:1] == ("path",) for error in exc.errors()):
        return error_page(request, 404)
    return error_page(request, 400)


def install_page_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(JimuError, page_jimu_error)
    app.add_exception_handler(StarletteHTTPException, page_http_error)
    app.add_exception_handler(RequestValidationError, page_validation_error)
    app.add_exception_handler(Exception, page_unexpected_error)
