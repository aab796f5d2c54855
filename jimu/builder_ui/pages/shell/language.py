"""Which language a page is shown in.

In order: ``?lang=`` (remembered in a cookie, so the choice sticks), that cookie, the signed-in
user's language, the browser's ``Accept-Language``, English.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from jimu.builder_ui.i18n import DEFAULT_LANGUAGE, LANGUAGES
from jimu.platform.models import User

LANG_PARAM = "lang"
LANG_COOKIE = "jimu_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _valid(value: str | None) -> str | None:
    return value if value in LANGUAGES else None


def requested_language(request: Request) -> str | None:
    """The language asked for with ``?lang=``, if it is one the UI speaks."""
    return _valid(request.query_params.get(LANG_PARAM))


def browser_language(request: Request) -> str | None:
    """The first of the browser's preferred languages that the UI speaks."""
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return None


def resolve_language(request: Request, user: User | None) -> str:
    return (
        requested_language(request)
        or _valid(request.cookies.get(LANG_COOKIE))
        or (_valid(user.language) if user is not None else None)
        or browser_language(request)
        or DEFAULT_LANGUAGE
    )


def remember_language(request: Request, response: Response) -> None:
    """Keep a ``?lang=`` choice in a cookie for the following pages."""
    chosen = requested_language(request)
    if chosen is not None and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="lax", httponly=True, path="/"
        )


def language_urls(request: Request) -> dict[str, str]:
    """The current page's URL in each language (for the language switch)."""
    urls = {}
    for language in LANGUAGES:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAM]
        params.append((LANG_PARAM, language))
        urls[language] = f"{request.url.path}?{urlencode(params)}"
    return urls
