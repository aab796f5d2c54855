"""Rendering a template into an HTML response with what every page needs.

Every template gets ``t`` (the translator), ``lang``, ``viewer``, ``fmt`` (value formatting in
the viewer's time zone), ``user``, ``csrf_token``, ``lang_urls``
(the language switch), ``csp_nonce`` (for the page's own ``<style>``, see
jimu/platform/security/headers.py), ``static_url``, ``designer_tags`` (a designer's built
files, see :mod:`.designer_assets`), ``crumbs``, ``nav`` (the app's sidebar, or
None) and ``notice`` (a message shown above the content, or None), plus the page's own context.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from jimu import __version__
from jimu.builder_ui import TEMPLATES_DIR
from jimu.builder_ui.pages.shell import formatting
from jimu.builder_ui.pages.shell.designer_assets import designer_tags
from jimu.builder_ui.pages.shell.language import language_urls, remember_language
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.platform.security.headers import csp_nonce

STATIC_PREFIX = "/static"
NOTICE_KEYS = frozenset(
    {
        "created",
        "saved",
        "deleted",
        "restored",
        "purged",
        "signed_out",
        "view_saved",
        "view_deleted",
    }
)


@dataclass(frozen=True)
class Crumb:
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Notice:
    kind: str  # info / success / error / warning
    text: str


def static_url(path: str) -> str:
    """The URL of a file under ``jimu/builder_ui/static`` (versioned against stale caches)."""
    return f"{STATIC_PREFIX}/{path}?v={__version__}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    env.globals["designer_tags"] = designer_tags
    env.filters["json_attr"] = formatting.json_attr
    return env


def notice_from_query(request: Request, viewer: Viewer) -> Notice | None:
    """The notice named by ``?notice=`` after a redirect (only known notices are shown)."""
    key = request.query_params.get("notice")
    if key not in NOTICE_KEYS:
        return None
    return Notice("success", viewer.t(f"notice.{key}"))


def render(
    request: Request,
    viewer: Viewer,
    template: str,
    *,
    status: int = 200,
    crumbs: list[Crumb] | None = None,
    nav: Any = None,
    notice: Notice | None = None,
    **context: Any,
) -> HTMLResponse:
    page = environment().get_template(template)
    html = page.render(
        t=viewer.t,
        lang=viewer.language,
        viewer=viewer,
        fmt=formatting.Formatter(viewer.time_zone),
        user=viewer.user,
        csrf_token=viewer.csrf_token,
        csp_nonce=csp_nonce(request),
        lang_urls=language_urls(request),
        crumbs=crumbs or [],
        nav=nav,
        notice=notice or notice_from_query(request, viewer),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    remember_language(request, response)
    return response
