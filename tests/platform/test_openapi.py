"""The OpenAPI document describes each published entity with its real fields."""

from __future__ import annotations

import copy

from crm_app import LEAD
from fastapi.testclient import TestClient


def test_published_entities_have_schemas_and_paths(admin_client: TestClient, crm: str) -> None:
    document = admin_client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    lead = schemas["crm.lead"]
    assert {"id", "version", "name", "email", "status", "amount", "account", "code"} <= set(
        lead["properties"]
    )
    assert lead["properties"]["code"]["readOnly"] is True
    assert lead["properties"]["account"]["x-jimu-target"] == "account"
    status = lead["properties"]["status"]
    assert status["default"] == "new" and status["x-jimu-type"] == "select"
    assert lead["properties"]["name"]["x-jimu-label"] == {"en": "Name", "zh": "姓名"}
    create = schemas["crm.lead.create"]
    assert create["required"] == ["name"] and "code" not in create["properties"]
    assert create["additionalProperties"] is False
    assert "version" in schemas["crm.lead.update"]["properties"]
    assert "Problem" in schemas
    path = document["paths"]["/api/apps/crm/entities/lead/records"]
    body = path["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/crm.lead.create"}
    assert (
        "409"
        in document["paths"]["/api/apps/crm/entities/lead/records/{record_id}"]["patch"][
            "responses"
        ]
    )
    assert "/api/apps/{app}/entities/{entity}/records" in document["paths"]


def test_publishing_updates_the_document(admin_client: TestClient, crm: str) -> None:
    before = admin_client.get("/openapi.json").json()["components"]["schemas"]["crm.lead"]
    assert "phone" not in before["properties"]
    body = copy.deepcopy(LEAD)
    body["fields"].append({"name": "phone", "type": "phone", "label": {"en": "P", "zh": "电"}})
    admin_client.put("/api/apps/crm/documents/entity/lead", json=body)
    admin_client.post("/api/apps/crm/publish")
    after = admin_client.get("/openapi.json").json()["components"]["schemas"]["crm.lead"]
    assert after["properties"]["phone"]["x-jimu-type"] == "phone"


def test_without_apps_the_document_is_the_generic_one(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert not any(name.startswith("crm.") for name in document["components"]["schemas"])
    assert "/api/auth/login" in document["paths"]


def test_generic_operations_document_problem_errors(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    login = document["paths"]["/api/auth/login"]["post"]["responses"]
    assert login["4XX"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "422" not in login  # FastAPI's default HTTPValidationError is not what we send


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    return set()


def test_every_reference_resolves(admin_client: TestClient, crm: str) -> None:
    document = admin_client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_anonymous_callers_get_only_the_generic_document(client: TestClient, crm: str) -> None:
    document = client.get("/openapi.json").json()
    assert not any(name.startswith("crm.") for name in document["components"]["schemas"])
    assert "/api/apps/crm/entities/lead/records" not in document["paths"]
    assert client.get("/docs").status_code == 200
