"""The OpenAPI document, with every published entity described by its real fields.

FastAPI's generated document describes the generic routes (``/api/apps/{app}/entities/
{entity}/records``). On top of it, for each published app, this adds a component schema per
entity (record, create body, update body; see ``entity_schemas``) and concrete paths such as
``/api/apps/marketing/entities/lead/records`` that use them. The document is rebuilt when an
app's published revision changes, so a publish shows up without a restart.

The document is the caller's (``GET /openapi.json`` with a session or token): anonymous callers
get the generic routes only; a signed-in user gets the entities they may reach, without the
fields hidden from them (see docs/access.md). ``/docs`` and ``/redoc`` read it.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.responses import HTMLResponse, JSONResponse

from jimu.engines.form.model import AppModel, Entity
from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.engines.form.sqltypes import MAX_ID
from jimu.platform import metadata_store as store
from jimu.platform.api.record_versions import IF_MATCH_PATTERN
from jimu.platform.auth.dependencies import OptionalPrincipal
from jimu.platform.entity_schemas import component_name, entity_components
from jimu.platform.models import Document, User
from jimu.platform.openapi_lists import list_parameters
from jimu.platform.openapi_rules import describe_filters, exact_integer_bounds, password_rules
from jimu.platform.problems import PROBLEM_SCHEMA
from jimu.platform.records.checks import SQLITE_EXACT_DIGITS
from jimu.platform.state import Platform

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
#: An API token or the session cookie (the schemes of ``auth.dependencies``).
SIGNED_IN: list[dict[str, list[str]]] = [{"apiToken": []}, {"sessionCookie": []}]
ERROR_STATUSES = {
    "401": "Not signed in, or a bad API token",
    "403": "Not allowed (or a missing CSRF token)",
    "404": "No such app, entity or record",
    "409": "Stale version (the body's `current` is the record now) or a taken unique value",
    "422": "Invalid input; `errors` lists every problem with a JSON pointer",
}


def published_apps(conn: sa.Connection) -> list[str]:
    query = (
        sa.select(Document.app)
        .where(Document.kind == "app", Document.status == "published")
        .distinct()
        .order_by(Document.app)
    )
    return list(conn.scalars(query))


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*statuses: str) -> dict[str, Any]:
    """The named error statuses, plus ``4XX`` for the rest (a bad path id or query parameter
    is a 422, a wrong method a 405, on every operation)."""
    problem = {"application/problem+json": {"schema": PROBLEM_REF}}
    described = {
        status: {"description": ERROR_STATUSES[status], "content": problem} for status in statuses
    }
    described["4XX"] = {
        "description": "Another error (application/problem+json)",
        "content": problem,
    }
    return described


def _page_schema(record: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref(record)},
            "next_cursor": {"type": ["string", "null"]},
            "total": {"type": ["integer", "null"]},
        },
        "required": ["items"],
    }


ID_PARAMETER = {
    "name": "record_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
    "description": 'The ETag you read (W/"<version>"); or send "version" in the body',
}


def record_links(app: str, entity: str) -> dict[str, Any]:
    """OpenAPI links from an answer holding a record to the operations on that record (the
    fuzz suite's stateful phase follows them: create, then read, change, delete it)."""
    record_id = {"record_id": "$response.body#/id"}
    return {
        f"{verb.title()}Record": {"operationId": f"{verb}_{app}_{entity}", "parameters": record_id}
        for verb in ("get", "update", "delete")
    }


def entity_paths(
    app: AppModel, entity: Entity, registry: FieldTypeRegistry
) -> dict[str, dict[str, Any]]:
    record = component_name(app.name, entity.name)
    create = component_name(app.name, entity.name, "create")
    update = component_name(app.name, entity.name, "update")
    label = entity.label.get("en", entity.name)
    tag = f"{app.name}: {label}"
    base = f"/api/apps/{app.name}/entities/{entity.name}/records"
    one = {"200": {"description": label, "content": _json(_ref(record))}}
    return {
        base: {
            "get": {
                "tags": [tag],
                "summary": f"List {label} records",
                "operationId": f"list_{app.name}_{entity.name}",
                "parameters": list_parameters(entity, registry),
                "security": SIGNED_IN,
                "responses": {
                    "200": {"description": "One page", "content": _json(_page_schema(record))},
                    **_errors("401", "404", "422"),
                },
            },
            "post": {
                "tags": [tag],
                "summary": f"Create a {label}",
                "operationId": f"create_{app.name}_{entity.name}",
                "requestBody": {"required": True, "content": _json(_ref(create))},
                "security": SIGNED_IN,
                "responses": {
                    "201": {
                        "description": "Created",
                        "content": _json(_ref(record)),
                        "links": record_links(app.name, entity.name),
                    },
                    **_errors("401", "403", "409", "422"),
                },
            },
        },
        base + "/{record_id}": {
            "parameters": [ID_PARAMETER],
            "get": {
                "tags": [tag],
                "summary": f"Read a {label}",
                "operationId": f"get_{app.name}_{entity.name}",
                "security": SIGNED_IN,
                "responses": {**one, **_errors("401", "404")},
            },
            "patch": {
                "tags": [tag],
                "summary": f"Change a {label} (only the fields given)",
                "operationId": f"update_{app.name}_{entity.name}",
                "security": SIGNED_IN,
                "parameters": [IF_MATCH],
                "requestBody": {"required": True, "content": _json(_ref(update))},
                "responses": {**one, **_errors("401", "403", "404", "409", "422")},
            },
            "delete": {
                "tags": [tag],
                "summary": f"Move a {label} to the recycle bin",
                "operationId": f"delete_{app.name}_{entity.name}",
                "security": SIGNED_IN,
                "responses": {**one, **_errors("401", "403", "404")},
            },
        },
    }


def add_problem_responses(document: dict[str, Any]) -> None:
    """Every generated API operation may answer a problem (4XX), described once."""
    problem = {
        "description": "An error (application/problem+json)",
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/api"):
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].pop("422", None)
                operation["responses"].setdefault("4XX", problem)


def add_app(document: dict[str, Any], app: AppModel, exact_digits: int | None = None) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(entity_components(app, default_registry(), exact_digits))
    paths = document.setdefault("paths", {})
    registry = default_registry()
    for entity in app.entities.values():
        paths.update(entity_paths(app, entity, registry))


class EntityOpenAPI:
    """``app.openapi``: the generated document plus the published entities, cached."""

    def __init__(self, app: FastAPI, platform: Platform) -> None:
        self._app = app
        self._platform = platform
        self._lock = threading.Lock()
        self._base: dict[str, Any] | None = None
        self._cached: tuple[tuple[tuple[str, str], ...], dict[str, Any]] | None = None

    def base(self) -> dict[str, Any]:
        if self._base is None:
            app = self._app
            self._base = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemas = self._base.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = PROBLEM_SCHEMA
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            add_problem_responses(self._base)
            exact_integer_bounds(self._base)
            describe_filters(self._base)
            password_rules(self._base, self._platform.settings.password_min_length)
        return self._base

    def __call__(self) -> dict[str, Any]:
        with self._platform.engine.connect() as conn:
            apps = published_apps(conn)
            key = tuple((app, store.app_revision(conn, app)) for app in apps)
            with self._lock:
                if self._cached is not None and self._cached[0] == key:
                    return self._cached[1]
            document = copy.deepcopy(self.base())
            digits = SQLITE_EXACT_DIGITS if conn.dialect.name == "sqlite" else None
            for app in apps:
                add_app(document, store.load_app(conn, app), digits)
        with self._lock:
            self._cached = (key, document)
        return document


def for_user(document: dict[str, Any], platform: Platform, user: User | None) -> dict[str, Any]:
    """``document`` as ``user`` may see it: only reachable entities, without hidden fields."""
    if user is not None and user.is_admin:
        return document
    result = dict(document)
    schemas = dict(document.get("components", {}).get("schemas", {}))
    paths = dict(document.get("paths", {}))
    with platform.engine.connect() as conn:
        for app in published_apps(conn):
            records = platform.apps.for_user(conn, app, user) if user is not None else None
            model = store.load_app(conn, app)
            for entity in model.entities:
                access = records.access(entity) if records is not None else None
                prefix = f"/api/apps/{app}/entities/{entity}/records"
                names = [component_name(app, entity, shape) for shape in ("", "create", "update")]
                if access is None or not access.actions:
                    for name in names:
                        schemas.pop(name, None)
                    for path in [p for p in paths if p.startswith(prefix)]:
                        paths.pop(path)
                    continue
                for name in names:
                    if name in schemas and access.hidden:
                        schemas[name] = _without_fields(schemas[name], access.hidden)
                if access.hidden and prefix in paths:
                    listing = copy.deepcopy(paths[prefix])
                    listing["get"]["parameters"] = list_parameters(
                        model.entities[entity], default_registry(), access.hidden
                    )
                    paths[prefix] = listing
    result["components"] = {**document.get("components", {}), "schemas": schemas}
    result["paths"] = paths
    return result


def _without_fields(schema: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    trimmed = dict(schema)
    trimmed["properties"] = {
        k: v for k, v in schema.get("properties", {}).items() if k not in hidden
    }
    if "required" in schema:
        trimmed["required"] = [n for n in schema["required"] if n not in hidden]
    return trimmed


def install_entity_openapi(app: FastAPI) -> None:
    """``app.openapi`` is the whole document; ``/openapi.json`` answers the caller's share."""
    platform: Platform = app.state.platform
    openapi = EntityOpenAPI(app, platform)
    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    def caller_openapi(principal: OptionalPrincipal) -> JSONResponse:
        user = principal.user if principal is not None else None
        return JSONResponse(for_user(openapi(), platform, user))

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} API")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} API")
