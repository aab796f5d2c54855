"""Bad input is a 4xx naming the problem, never a 500 (issue 10, point 2).

Huge ids, JSON nested thousands deep, lone surrogates and NUL characters, wrong JSON types in
bodies, 405 with the true ``Allow``, timestamps with their offset, readable filter codes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from platform_testing import assert_problem

BIG = 2**63
RECORDS = "/api/apps/crm/entities/lead/records"
DEEP = "[" * 5000 + "]" * 5000


def pointers(body: dict[str, Any]) -> list[str]:
    return [e["pointer"] for e in body["errors"]]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{RECORDS}/{BIG}"),
        ("DELETE", f"{RECORDS}/{BIG}"),
        ("GET", f"{RECORDS}/{BIG}/history"),
        ("GET", f"/api/org/users/{BIG}/context"),
        ("DELETE", f"/api/org/departments/{BIG}"),
        ("DELETE", f"/api/auth/tokens/{BIG}"),
        ("GET", f"/api/apps/crm/documents/entity/lead/diff?from=1&to={BIG}"),
    ],
)
def test_huge_ids_in_paths_and_queries_are_422_naming_the_parameter(
    admin_client: TestClient, crm: str, method: str, path: str
) -> None:
    body = assert_problem(admin_client.request(method, path), 422, "validation_failed")
    assert any(p.startswith(("/path/", "/query/")) for p in pointers(body))


def test_huge_ids_in_bodies_are_422(admin_client: TestClient, crm: str) -> None:
    link = admin_client.post(RECORDS, json={"name": "Wang", "account": BIG})
    assert pointers(assert_problem(link, 422, "validation_failed")) == ["/account"]
    parent = admin_client.post("/api/org/departments", json={"name": "x", "parent_id": BIG})
    assert pointers(assert_problem(parent, 422, "validation_failed")) == ["/parent_id"]
    manager = admin_client.put("/api/org/users/1/manager", json={"manager_id": BIG})
    assert pointers(assert_problem(manager, 422, "validation_failed")) == ["/manager_id"]


def test_deep_json_is_422_in_bodies_and_filters(admin_client: TestClient, crm: str) -> None:
    headers = {"content-type": "application/json"}
    body = '{"filter": {"and": ' + DEEP + "}}"
    query = admin_client.post(f"{RECORDS}/query", content=body, headers=headers)
    assert assert_problem(query, 422, "validation_failed")["errors"][0]["code"] == "too_deep"
    created = admin_client.post(RECORDS, content='{"name": ' + DEEP + "}", headers=headers)
    assert_problem(created, 422, "validation_failed")
    listed = admin_client.get(RECORDS, params={"filter": '{"and": ' + DEEP + "}"})
    problem = assert_problem(listed, 422, "validation_failed")
    assert pointers(problem) == ["/filter"]


@pytest.mark.parametrize(
    ("text", "code"), [('"a\\u0000b"', "invalid_text"), ('"\\ud800"', "invalid_text")]
)
def test_nul_and_lone_surrogates_are_422_naming_the_field(
    admin_client: TestClient, crm: str, text: str, code: str
) -> None:
    body = '{"name": ' + text + "}"
    response = admin_client.post(
        RECORDS, content=body, headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert problem["errors"] == [{"pointer": "/name", "message": problem["errors"][0]["message"],
                                  "code": code}]  # fmt: skip
    assert admin_client.get(RECORDS).json()["items"] == []


def test_nul_in_the_query_string_is_422_naming_the_parameter(
    admin_client: TestClient, crm: str
) -> None:
    response = admin_client.get(RECORDS + "?sort=name%00")
    assert pointers(assert_problem(response, 422, "validation_failed")) == ["/query/sort"]


def test_wrong_json_types_in_bodies_are_422(admin_client: TestClient) -> None:
    department = admin_client.post("/api/org/departments", json={"name": "x", "sort_order": False})
    assert pointers(assert_problem(department, 422, "validation_failed")) == ["/sort_order"]
    member = admin_client.put(
        "/api/org/users/1/departments",
        json={"departments": [{"department_id": 1, "is_leader": 0}]},
    )
    assert_problem(member, 422, "validation_failed")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", RECORDS, "GET, POST"),
        ("PUT", RECORDS, "GET, POST"),
        ("PUT", f"{RECORDS}/1", "GET, PATCH, DELETE"),
        ("PATCH", f"{RECORDS}/export", "GET"),
        ("POST", "/api/health", "GET"),
    ],
)
def test_wrong_methods_are_405_with_every_method_of_the_path(
    admin_client: TestClient, crm: str, method: str, path: str, allow: str
) -> None:
    response = admin_client.request(method, path)
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allow


def test_timestamps_in_token_and_document_answers_have_their_offset(
    admin_client: TestClient, crm: str
) -> None:
    token = admin_client.post("/api/auth/tokens", json={"name": "t"}).json()
    assert token["created_at"].endswith("Z")
    listed = admin_client.get("/api/auth/tokens").json()
    assert all(t["created_at"].endswith("Z") for t in listed)
    documents = admin_client.get("/api/apps/crm/documents").json()
    assert documents and all(d["created_at"].endswith("Z") for d in documents)


def test_filter_errors_carry_readable_codes(admin_client: TestClient, crm: str) -> None:
    bad = json.dumps({"no_such_operator": [1, 2]})
    problem = assert_problem(
        admin_client.get(RECORDS, params={"filter": bad}), 422, "validation_failed"
    )
    assert problem["errors"][0]["code"] == "unknown_operator"
