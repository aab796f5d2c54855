"""The metadata API: schemas, documents, drafts, publish (dry run), versions, diff, rollback."""

from __future__ import annotations

import copy

from crm_app import LEAD
from fastapi.testclient import TestClient
from platform_testing import assert_problem

DOC = "/api/apps/crm/documents/entity/lead"


def lead_with_phone() -> dict[str, object]:
    body = copy.deepcopy(LEAD)
    body["fields"].append(
        {"name": "phone", "type": "phone", "label": {"en": "Phone", "zh": "电话"}}
    )
    return body


def test_schemas_are_public(client: TestClient) -> None:
    kinds = client.get("/api/schemas").json()
    assert set(kinds) >= {"app", "entity", "form", "flow", "rule", "report", "dashboard"}
    entity = client.get("/api/schemas/entity").json()
    assert entity["$schema"].startswith("https://json-schema.org/")
    assert "fields" in entity["properties"]


def test_read_documents(user_client: TestClient, crm: str) -> None:
    assert "crm" in user_client.get("/api/apps").json()
    docs = user_client.get("/api/apps/crm/documents").json()
    assert {(d["kind"], d["name"]) for d in docs} >= {("app", "crm"), ("entity", "lead")}
    only = user_client.get("/api/apps/crm/documents", params={"kind": "entity"}).json()
    assert {d["name"] for d in only} == {"lead", "account"}
    lead = user_client.get(DOC).json()
    assert lead["version"] == 1 and lead["status"] == "published" and lead["body"] == LEAD


def test_draft_dry_run_publish_diff_rollback(admin_client: TestClient, crm: str) -> None:
    draft = admin_client.put(DOC, json=lead_with_phone(), params={"comment": "add phone"})
    assert draft.status_code == 200, draft.text
    assert draft.json()["version"] == 2 and draft.json()["status"] == "draft"
    assert draft.json()["comment"] == "add phone"

    plan = admin_client.post("/api/apps/crm/publish", params={"dry_run": "true"}).json()
    assert plan["dry_run"] is True and any("phone" in sql for sql in plan["sql"])
    record = admin_client.post(
        "/api/apps/crm/entities/lead/records", json={"name": "n", "phone": "13812345678"}
    )
    assert_problem(record, 422, "validation_failed")

    done = admin_client.post("/api/apps/crm/publish", json={"kind": "entity"}).json()
    assert [(d["name"], d["version"]) for d in done["documents"]] == [("lead", 2)]
    assert done["dry_run"] is False and any("phone" in sql for sql in done["sql"])
    created = admin_client.post(
        "/api/apps/crm/entities/lead/records", json={"name": "n", "phone": "13812345678"}
    )
    assert created.status_code == 201 and created.json()["phone"] == "+8613812345678"

    versions = admin_client.get(f"{DOC}/versions").json()
    assert [(v["version"], v["status"]) for v in versions] == [(1, "superseded"), (2, "published")]
    diff = admin_client.get(f"{DOC}/diff", params={"from": 1, "to": 2})
    assert diff.status_code == 200 and "phone" in diff.text

    rolled = admin_client.post(f"{DOC}/rollback", json={"version": 1})
    assert rolled.status_code == 201
    assert rolled.json()["version"] == 3 and rolled.json()["body"] == LEAD
    assert rolled.json()["status"] == "published"


def test_invalid_draft_reports_every_error(admin_client: TestClient, crm: str) -> None:
    body = copy.deepcopy(LEAD)
    body["fields"][0]["type"] = "no_such_type"
    body["fields"][1]["name"] = "Bad Name"
    response = admin_client.put(DOC, json=body)
    problem = assert_problem(response, 422, "validation_failed")
    pointers = {e["pointer"] for e in problem["errors"]}
    assert any(p.startswith("/fields/0") for p in pointers)
    assert any(p.startswith("/fields/1") for p in pointers)


def test_metadata_writes_need_an_admin(user_client: TestClient, crm: str) -> None:
    assert_problem(user_client.put(DOC, json=LEAD), 403, "permission_denied")
    assert_problem(user_client.post("/api/apps/crm/publish"), 403, "permission_denied")
    assert_problem(
        user_client.post(f"{DOC}/rollback", json={"version": 1}), 403, "permission_denied"
    )


def test_removed_field_is_archived_restorable_and_purgeable(
    admin_client: TestClient, crm: str
) -> None:
    records = "/api/apps/crm/entities/lead/records"
    lead = admin_client.post(records, json={"name": "Keep", "email": "k@example.com"}).json()
    without_email = copy.deepcopy(LEAD)
    without_email["fields"] = [f for f in LEAD["fields"] if f["name"] != "email"]
    admin_client.put(DOC, json=without_email)
    assert admin_client.post("/api/apps/crm/publish").status_code == 200
    assert "email" not in admin_client.get(f"{records}/{lead['id']}").json()

    archive = "/api/apps/crm/entities/lead/archived-columns"
    (archived,) = admin_client.get(archive).json()
    assert archived["field"] == "email" and archived["column_name"].startswith("_archived_email")
    restored = admin_client.post(f"{archive}/{archived['column_name']}/restore")
    assert restored.status_code == 200, restored.text
    assert admin_client.get(f"{records}/{lead['id']}").json()["email"] == "k@example.com"
    assert admin_client.get(archive).json() == []

    admin_client.put(DOC, json=without_email)
    admin_client.post("/api/apps/crm/publish")
    (archived,) = admin_client.get(archive).json()
    assert admin_client.delete(f"{archive}/{archived['column_name']}").status_code == 204
    assert admin_client.get(archive).json() == []
    assert_problem(admin_client.delete(f"{archive}/{archived['column_name']}"), 404, "not_found")


def test_a_draft_can_be_discarded(admin_client: TestClient, crm: str) -> None:
    body = copy.deepcopy(LEAD)
    body["fields"].append({"name": "phone", "type": "phone", "label": {"en": "P"}})
    assert admin_client.put(DOC, json=body).json()["status"] == "draft"
    kept = admin_client.delete(f"{DOC}/draft")
    assert kept.status_code == 200 and kept.json()["status"] == "published"
    assert admin_client.get(DOC).json()["body"] == LEAD
    assert_problem(admin_client.delete(f"{DOC}/draft"), 404, "not_found")
    # A document never published is gone with its draft.
    new = {"kind": "entity", "name": "memo", "label": {"en": "Memo"}, "fields": []}
    memo = "/api/apps/crm/documents/entity/memo"
    assert admin_client.put(memo, json=new).status_code in (200, 201)
    gone = admin_client.delete(f"{memo}/draft")
    assert gone.status_code == 200 and gone.json() is None
    assert_problem(admin_client.get(memo), 404, "not_found")


def test_discarding_a_draft_needs_a_designer(user_client: TestClient, crm: str) -> None:
    assert_problem(user_client.delete(f"{DOC}/draft"), 403, "permission_denied")
