"""The Origin check of cookie-authenticated writes (a second line behind the CSRF token).

A browser sends ``Origin`` with every POST, PUT, PATCH and DELETE (and, where it does not,
``Referer``). A write that a session cookie authenticates must come from a page of Jimu itself:
its origin must be the one of ``JIMU_BASE_URL`` or the one the request was addressed to
(scheme and ``Host``; a cross-site page cannot choose the ``Host`` its visitor's browser sends).
A write with neither header, or ``Origin: null`` (sandboxed frames, some redirects), is
refused too. Requests with a Bearer token are not affected: no browser adds those by itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from jimu.errors import PermissionDenied

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url`` (lower-case, default port left out), or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


def own_origins(request: Request, base_url: str) -> set[str]:
    """The origins Jimu's own pages have: ``base_url``'s and the request's own."""
    found = {origin_of(base_url)}
    host = request.headers.get("host")
    if host:
        found.add(origin_of(f"{request.url.scheme}://{host}"))
    return {origin for origin in found if origin is not None}


def check_same_origin(request: Request, base_url: str) -> None:
    """Refuse (403, reason ``origin``) a write whose Origin (or Referer) is not Jimu's own."""
    origin = request.headers.get("origin")
    said = "Origin"
    if origin is None:
        referer = request.headers.get("referer")
        origin = origin_of(referer) if referer else None
        said = "Referer"
        if origin is None:
            raise PermissionDenied(
                "The request has no Origin or Referer header: a write with the session "
                "cookie must come from one of Jimu's own pages.",
                extra={"reason": "origin"},
            )
    if origin_of(origin) not in own_origins(request, base_url):
        raise PermissionDenied(
            f"The request comes from {origin!r} ({said} header), not from one of Jimu's own "
            "pages: a write with the session cookie must come from this site.",
            extra={"reason": "origin"},
        )
