"""Security headers on every response: a Content-Security-Policy, no framing, no sniffing.

:class:`SecurityHeaders` is a plain ASGI middleware (no per-request task or buffering). For each
request it has a fresh nonce (made by :func:`csp_nonce` when a page asks for it, which the page
templates put on the few elements that need it, or when an HTML answer starts) and, when the
response starts, adds:

- on HTML responses, the page policy :func:`page_policy`: scripts and style sheets only from
  Jimu itself or carrying the request's nonce (no ``'unsafe-inline'`` or ``'unsafe-eval'`` for
  scripts), nothing from other sites, no plugins, forms post only to Jimu;
- on every response, ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` (no other site
  may show a Jimu page in a frame), unless the response set its own ``frame-ancestors`` (the
  public form pages do, from ``JIMU_PUBLIC_FORM_ORIGINS``); then that one is kept and no
  ``X-Frame-Options`` is sent, since it cannot list origins;
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.

Directives a response already set in its own ``Content-Security-Policy`` win over ours.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "Content-Security-Policy"
NONCE_KEY = "csp_nonce"
NO_FRAMES = "frame-ancestors 'none'"


def page_policy(nonce: str) -> str:
    """The Content-Security-Policy of an HTML page whose inline elements carry ``nonce``."""
    source = f"'self' 'nonce-{nonce}'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {source}",
            f"style-src {source}",
            # Style attributes (``style="--cols: 2"``) set layout variables in the templates;
            # they cannot run code. <style> elements still need the nonce.
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            NO_FRAMES,
        ]
    )


def csp_nonce(request: Request) -> str:
    """The nonce of this request's policy (one is made if the middleware did not run)."""
    return _nonce(request.scope.setdefault("state", {}))


def merged_policy(own: str | None, ours: str) -> str:
    """``own`` (the response's policy) plus the directives of ``ours`` it does not set."""
    if not own:
        return ours
    named = {d.split()[0].lower() for d in own.split(";") if d.strip()}
    extra = [d.strip() for d in ours.split(";") if d.strip() and d.split()[0].lower() not in named]
    return "; ".join([own.strip().rstrip(";"), *extra])


def _nonce(state: dict[str, Any]) -> str:
    nonce = state.get(NONCE_KEY)
    if not isinstance(nonce, str):
        nonce = state[NONCE_KEY] = secrets.token_urlsafe(18)
    return nonce


def add_security_headers(headers: MutableHeaders, nonce: Callable[[], str]) -> None:
    """Add the headers to a response's; ``nonce`` gives the request's nonce (HTML only)."""
    is_html = headers.get("content-type", "").startswith("text/html")
    own = headers.get(CSP)
    policy = merged_policy(own, page_policy(nonce()) if is_html else NO_FRAMES)
    if own is None or "frame-ancestors" not in own:
        headers["X-Frame-Options"] = "DENY"
    headers[CSP] = policy
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The nonce is made when a page asks for it (csp_nonce) or an HTML answer starts: an
        # API answer needs none, and each one is a read of the system's random source.
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                add_security_headers(headers, lambda: _nonce(state))
            await send(message)

        await self.app(scope, receive, send_with_headers)
