"""Every route of the app, found by walking the router (so a new route is covered the day it
is added), refuses anonymous callers and callers outside their scope.

- Anonymous: every route answers 401 (API) or redirects to the sign-in page (pages), except
  the few that are public by design (``PUBLIC``).
- A signed-in user holding no role in the app is refused on every route of the app.
- A rep asking for a record outside their scope gets 404 or 403 on every route that names a
  record, and every administrators-only route answers 403.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from access_testing import Secured
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

#: Routes anyone may call, and why.
PUBLIC = {
    ("GET", "/api/health"),  # load balancers
    ("GET", "/"),  # redirects to /apps, which needs a signed-in user
    ("GET", "/openapi.json"),  # the generic routes only, for an anonymous caller
    ("GET", "/docs"),
    ("GET", "/redoc"),
    ("POST", "/api/auth/login"),  # signing in
    ("GET", "/api/schemas"),  # the published JSON Schemas of document kinds
    ("GET", "/api/schemas/{kind}"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/login/oidc"),
    ("GET", "/login/oidc/callback"),
    ("GET", "/invite/{token}"),  # a one-time link: the token is the credential (docs/org.md)
    ("POST", "/invite/{token}"),
    ("OPTIONS", "/api/public/{app}/{slug}"),  # public forms: create only, see docs
    ("POST", "/api/public/{app}/{slug}"),
    ("GET", "/f/{app}/{slug}"),
    ("POST", "/f/{app}/{slug}"),
    ("GET", "/f/{app}/{slug}/thanks"),
}
#: Routes of an app that a user without roles may still call: what they may do (nothing).
ROLELESS_ALLOWED = {("GET", "/api/apps/{app}/access")}
#: Routes about the caller themself or shared by everyone signed in (not about an app).
SELF_SERVICE = {
    ("GET", "/openapi.json"),  # the caller's own share of the document
    ("GET", "/api/formula-functions"),  # the formula language's reference, like /docs
    ("GET", "/docs"),
    ("GET", "/redoc"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-everywhere"),
    ("GET", "/api/auth/me"),
    ("GET", "/api/auth/tokens"),
    ("POST", "/api/auth/tokens"),
    ("DELETE", "/api/auth/tokens/{token_id}"),
    ("POST", "/api/auth/password"),
    ("GET", "/api/users"),
    ("GET", "/api/org/departments"),
    ("GET", "/api/org/users/{user_id}/context"),
    ("GET", "/api/apps"),
    ("POST", "/logout"),
    ("POST", "/logout/everywhere"),
    ("GET", "/account/security"),
    ("POST", "/account/security/password"),
    ("GET", "/account/tokens"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{token_id}/revoke"),
    ("GET", "/"),
    ("GET", "/apps"),
    ("GET", "/api/field-types"),  # the registered field types, the same for everyone
    ("GET", "/api/notifications"),  # the caller's own inbox
    ("GET", "/api/notifications/unread-count"),
    ("POST", "/api/notifications/read-all"),
    ("GET", "/api/users/me/away"),  # the caller's own away dates
    ("PUT", "/api/users/me/away"),
    ("POST", "/account/away"),
    ("GET", "/inbox"),
    ("POST", "/inbox/read-all"),
    ("GET", "/api/tasks/counts"),  # the caller's own task inbox
    ("GET", "/tasks"),
    ("POST", "/tasks/bulk-approve"),  # each task checked as the API does
    ("POST", "/tasks/start"),  # on a record the caller can read
}
REFUSED = {401, 403, 404}


def routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    def walk(items: list[Any]) -> Iterator[APIRoute]:
        for route in items:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)

    for route in walk(list(app.router.routes)):
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for method in sorted(route.methods):
            if method != "HEAD":
                yield method, path


def url(path: str, secured: Secured, record: int) -> str:
    values = {
        "app": secured.app,
        "entity": "lead",
        "record_id": record,
        "kind": "entity",
        "name": "lead",
        "user_id": secured.users["wes"],
        "department_id": secured.departments["West"],
        "role": "rep",
        "slug": "contact-us",
        "document": "lead.default",
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def payload(method: str, path: str, secured: Secured) -> dict[str, Any]:
    """A well-formed request for the route, so refusals are about access, not input."""
    record = secured.leads["wes1"]
    if path.endswith("/diff"):
        return {"params": {"from": 1, "to": 1}}
    if path.endswith("/rollback"):
        return {"json": {"version": 1}}
    if path.endswith("/conditions/explain"):
        return {"json": {"condition": True}}
    if path.endswith("/shares") and method == "POST":
        return {"json": {"user_id": secured.users["rex"], "access": "read"}}
    if path.endswith("/records/import") or path.endswith("/import"):
        return {"files": {"file": ("leads.csv", b"name\nx\n", "text/csv")}}
    if path.endswith("/records/bulk"):
        item = {"id": record, "name": "x"} if method == "PATCH" else {"name": "x"}
        return {"json": {"records": [item]}}
    if "/processes/" in path:  # the approval actions (docs/process.md)
        for end, body in (
            ("/return", {"to": "x"}),
            ("/transfer", {"user_id": 1}),
            ("/add-signer", {"mode": "after", "user_id": 1}),
            ("/comments", {"text": "x"}),
        ):
            if path.endswith(end):
                return {"json": body}
    if method in ("GET", "DELETE", "OPTIONS"):
        return {}
    return {"json": {}}


def call(client: TestClient, method: str, path: str, secured: Secured) -> int:
    target = url(path, secured, secured.leads["wes1"])
    extra = payload(method, path, secured)
    return client.request(method, target, follow_redirects=False, **extra).status_code


def refused_page(client: TestClient, method: str, target: str) -> bool:
    response = client.request(
        method, target, follow_redirects=False, **({} if method == "GET" else {"json": {}})
    )
    if response.status_code in (302, 303, 307):
        return response.headers["location"].startswith("/login")
    return response.status_code in REFUSED


def test_every_route_refuses_anonymous_callers(app: FastAPI, secured: Secured) -> None:
    found = list(routes(app))
    assert len(found) > 80
    wrong = []
    with TestClient(app) as anonymous:
        for method, path in found:
            if (method, path) in PUBLIC:
                continue
            target = url(path, secured, secured.leads["wes1"])
            if not refused_page(anonymous, method, target):
                wrong.append(f"{method} {path}")
    assert wrong == [], "\n".join(wrong)


def test_every_app_route_refuses_a_user_without_roles(app: FastAPI, secured: Secured) -> None:
    wrong = []
    with secured.client(app, "nob") as nob:
        for method, path in routes(app):
            if "{app}" not in path or (method, path) in PUBLIC | ROLELESS_ALLOWED:
                continue
            status = call(nob, method, path, secured)
            if status not in REFUSED:
                wrong.append(f"{method} {path}: {status}")
    assert wrong == [], "\n".join(wrong)


def test_every_record_route_refuses_an_out_of_scope_record(app: FastAPI, secured: Secured) -> None:
    wrong = []
    with secured.client(app, "rex") as rex:
        for method, path in routes(app):
            if "{record_id}" not in path:
                continue
            status = call(rex, method, path, secured)
            if status not in REFUSED:
                wrong.append(f"{method} {path}: {status}")
    assert wrong == [], "\n".join(wrong)


def test_administrators_only_routes_refuse_other_users(app: FastAPI, secured: Secured) -> None:
    wrong = []
    with secured.client(app, "rex") as rex:
        for method, path in routes(app):
            if "{app}" in path or (method, path) in PUBLIC | SELF_SERVICE:
                continue
            status = call(rex, method, path, secured)
            if status not in REFUSED:
                wrong.append(f"{method} {path}: {status}")
    assert wrong == [], "\n".join(wrong)
