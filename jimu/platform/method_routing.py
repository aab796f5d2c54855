"""The methods a path answers to, for the ``Allow`` header of a 405.

Starlette answers 405 from the first route whose path matches, so a path served by several
routes (``GET`` and ``POST .../records`` are two) would name only that route's methods. This
asks every route of the app, for each method, whether it would take the request's path with
that method (``Route.matches``, the router's own test), and lists those that one would.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Match, Mount

#: The methods asked about, in the order they are listed (RFC 9110's).
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the app accepts at the request's path, in ``METHODS`` order
    (mounted apps such as static files are left out: they answer every method themselves)."""
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    allowed = []
    for method in METHODS:
        scope = {**request.scope, "method": method, "path_params": {}}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed
