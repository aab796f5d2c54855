"""The error contract: every error path answers application/problem+json of one shape.

Each case is a request that must fail, the status and code it must fail with, and what the
body must say; every body is also checked against the published problem schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi.testclient import TestClient
from platform_testing import assert_problem

from jimu.platform.problems import PROBLEM_SCHEMA

LEADS = "/api/apps/crm/entities/lead/records"
Request = Callable[[TestClient, TestClient, TestClient], httpx.Response]


def _stale(admin: TestClient) -> httpx.Response:
    lead = admin.post(LEADS, json={"name": "v"}).json()
    admin.patch(f"{LEADS}/{lead['id']}", json={"name": "v2", "version": 1})
    response: httpx.Response = admin.patch(
        f"{LEADS}/{lead['id']}", json={"name": "v3", "version": 1}
    )
    return response


def _without_csrf(admin: TestClient) -> httpx.Response:
    response: httpx.Response = admin.post(LEADS, json={"name": "x"}, headers={"X-CSRF-Token": ""})
    return response


CASES: list[tuple[str, Request, int, str, dict[str, Any]]] = [
    ("anonymous", lambda anon, user, admin: anon.get(LEADS), 401, "not_authenticated", {}),
    (
        "bad token",
        lambda anon, user, admin: anon.get(LEADS, headers={"Authorization": "Bearer x"}),
        401,
        "not_authenticated",
        {},
    ),
    (
        "csrf",
        lambda anon, user, admin: _without_csrf(admin),
        403,
        "permission_denied",
        {"reason": "csrf"},
    ),
    (
        "admin only",
        lambda anon, user, admin: user.put(
            "/api/apps/crm/documents/entity/x", json={"kind": "entity"}
        ),
        403,
        "permission_denied",
        {},
    ),
    ("no route", lambda anon, user, admin: admin.get("/api/nope"), 404, "not_found", {}),
    ("no record", lambda anon, user, admin: admin.get(f"{LEADS}/404"), 404, "not_found", {}),
    (
        "no entity",
        lambda anon, user, admin: admin.get("/api/apps/crm/entities/ghost/records"),
        404,
        "not_found",
        {},
    ),
    ("no kind", lambda anon, user, admin: anon.get("/api/schemas/ghost"), 404, "not_found", {}),
    (
        "method",
        lambda anon, user, admin: admin.put(LEADS, json={}),
        405,
        "method_not_allowed",
        {},
    ),
    ("stale version", lambda anon, user, admin: _stale(admin), 409, "conflict", {}),
    (
        "record fields",
        lambda anon, user, admin: admin.post(LEADS, json={"email": "no", "amount": "x"}),
        422,
        "validation_failed",
        {"pointers": {"/name", "/email", "/amount"}},
    ),
    (
        "body shape",
        lambda anon, user, admin: admin.post(f"{LEADS}/bulk", json={"records": "no"}),
        422,
        "validation_failed",
        {"pointers": {"/records"}},
    ),
    (
        "malformed JSON body",
        lambda anon, user, admin: admin.post(
            LEADS, content=b"{oops", headers={"content-type": "application/json"}
        ),
        422,
        "validation_failed",
        {},
    ),
    (
        "malformed JSON filter",
        lambda anon, user, admin: admin.get(LEADS, params={"filter": "{oops"}),
        422,
        "validation_failed",
        {"pointers": {"/filter"}},
    ),
    (
        "bad JsonLogic filter",
        lambda anon, user, admin: admin.post(
            f"{LEADS}/query", json={"filter": {"no_such_op": [1]}}
        ),
        422,
        "validation_failed",
        {},
    ),
    (
        "query parameter",
        lambda anon, user, admin: admin.get(LEADS, params={"limit": "many"}),
        422,
        "validation_failed",
        {"pointers": {"/query/limit"}},
    ),
]


@pytest.mark.parametrize(
    ("name", "request_", "status", "code", "expect"), CASES, ids=[c[0] for c in CASES]
)
def test_error_path(
    name: str,
    request_: Request,
    status: int,
    code: str,
    expect: dict[str, Any],
    client: TestClient,
    user_client: TestClient,
    admin_client: TestClient,
    crm: str,
) -> None:
    response = request_(client, user_client, admin_client)
    body = assert_problem(response, status, code)
    jsonschema.validate(body, PROBLEM_SCHEMA)
    assert body["type"] == f"urn:jimu:problem:{code}" and body["detail"]
    pointers = {e["pointer"] for e in body["errors"]}
    assert pointers >= expect.get("pointers", set())
    if "reason" in expect:
        assert body["reason"] == expect["reason"]
    if status == 409:
        assert body["current"]["version"] == 2
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
