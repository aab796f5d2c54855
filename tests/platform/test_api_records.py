"""The records API on the small crm app: CRUD, versions, lists, bulk, recycle bin, files."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from platform_testing import assert_problem

LEADS = "/api/apps/crm/entities/lead"
ACCOUNTS = "/api/apps/crm/entities/account"


def create(client: TestClient, body: dict[str, Any], base: str = LEADS) -> dict[str, Any]:
    response = client.post(f"{base}/records", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_read_update(admin_client: TestClient, crm: str) -> None:
    account = create(admin_client, {"name": "Acme"}, ACCOUNTS)
    lead = create(admin_client, {"name": "Wang", "amount": "1200.5", "account": account["id"]})
    assert lead["version"] == 1 and lead["status"] == "new" and lead["code"] == "L-0001"
    assert lead["amount"] == "1200.50" and lead["account"] == account["id"]
    assert admin_client.get(f"{LEADS}/records/{lead['id']}").json() == lead
    partial = admin_client.get(f"{LEADS}/records/{lead['id']}", params={"fields": "name"})
    assert set(partial.json()) >= {"id", "version", "name"} and "amount" not in partial.json()
    changed = admin_client.patch(
        f"{LEADS}/records/{lead['id']}", json={"status": "won", "version": 1}
    ).json()
    assert changed["status"] == "won" and changed["version"] == 2
    assert changed["name"] == "Wang" and changed["amount"] == "1200.50"
    unversioned = admin_client.patch(f"{LEADS}/records/{lead['id']}", json={"amount": 5})
    assert unversioned.json()["version"] == 3 and unversioned.json()["amount"] == "5.00"


def test_stale_version_is_409_with_the_current_record(admin_client: TestClient, crm: str) -> None:
    lead = create(admin_client, {"name": "Li"})
    admin_client.patch(f"{LEADS}/records/{lead['id']}", json={"name": "Li Lei", "version": 1})
    stale = admin_client.patch(f"{LEADS}/records/{lead['id']}", json={"name": "X", "version": 1})
    body = assert_problem(stale, 409, "conflict")
    current = body["current"]
    assert isinstance(current, dict)
    assert current["version"] == 2 and current["name"] == "Li Lei"


def test_validation_errors_name_every_field(admin_client: TestClient, crm: str) -> None:
    response = admin_client.post(
        f"{LEADS}/records", json={"email": "nope", "amount": "-1", "status": "lost", "x": 1}
    )
    body = assert_problem(response, 422, "validation_failed")
    pointers = {e["pointer"] for e in body["errors"]}
    assert {"/name", "/email", "/amount", "/status", "/x"} <= pointers


def test_unique_field_conflict(admin_client: TestClient, crm: str) -> None:
    create(admin_client, {"name": "A", "email": "a@example.com"})
    dup = admin_client.post(f"{LEADS}/records", json={"name": "B", "email": "a@example.com"})
    body = assert_problem(dup, 409, "conflict")
    assert [e["pointer"] for e in body["errors"]] == ["/email"]


def test_list_filter_sort_fields_count_and_keyset_pages(admin_client: TestClient, crm: str) -> None:
    rows = [{"name": f"L{i:02d}", "amount": str(i * 100)} for i in range(25)]
    assert admin_client.post(f"{LEADS}/records/bulk", json={"records": rows}).status_code == 201
    condition = {">=": [{"var": "amount"}, 1000]}
    params = {
        "filter": json.dumps(condition),
        "sort": "-amount",
        "limit": 4,
        "fields": "name,amount",
        "count": "true",
    }
    seen: list[str] = []
    page = admin_client.get(f"{LEADS}/records", params=params).json()
    assert page["total"] == 15
    while True:
        for item in page["items"]:
            assert {"id", "version", "name", "amount"} <= set(item)
            assert not {"email", "status", "account", "code"} & set(item)
        seen.extend(item["name"] for item in page["items"])
        if page["next_cursor"] is None:
            break
        page = admin_client.get(
            f"{LEADS}/records", params={**params, "cursor": page["next_cursor"]}
        ).json()
    assert seen == [f"L{i:02d}" for i in range(24, 9, -1)]
    body = {"filter": condition, "sort": ["-amount"], "limit": 100, "count": True}
    queried = admin_client.post(f"{LEADS}/records/query", json=body).json()
    assert [item["name"] for item in queried["items"]] == seen
    assert queried["total"] == 15


def test_bad_filters_and_sorts_are_422(admin_client: TestClient, crm: str) -> None:
    broken = admin_client.get(f"{LEADS}/records", params={"filter": "{not json"})
    body = assert_problem(broken, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/filter"
    assert body["errors"][0]["code"] == "json"
    array = admin_client.get(f"{LEADS}/records", params={"filter": "[1, 2]"})
    assert_problem(array, 422, "validation_failed")
    unknown = admin_client.get(f"{LEADS}/records", params={"sort": "nope"})
    body = assert_problem(unknown, 422, "validation_failed")
    assert body["errors"][0]["pointer"].startswith("/sort")
    limit = admin_client.get(f"{LEADS}/records", params={"limit": 0})
    body = assert_problem(limit, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/query/limit"


def test_bulk_create_is_all_or_nothing_and_bulk_update(admin_client: TestClient, crm: str) -> None:
    bad = [{"name": "ok"}, {"name": "bad", "email": "nope"}]
    body = assert_problem(
        admin_client.post(f"{LEADS}/records/bulk", json={"records": bad}), 422, "validation_failed"
    )
    assert [e["pointer"] for e in body["errors"]] == ["/1/email"]
    assert admin_client.get(f"{LEADS}/records", params={"count": "true"}).json()["total"] == 0
    created = admin_client.post(
        f"{LEADS}/records/bulk", json={"records": [{"name": "a"}, {"name": "b"}]}
    ).json()["items"]
    changes = [{"id": r["id"], "version": r["version"], "status": "won"} for r in created]
    updated = admin_client.patch(f"{LEADS}/records/bulk", json={"records": changes})
    assert updated.status_code == 200
    assert [(r["status"], r["version"]) for r in updated.json()["items"]] == [("won", 2)] * 2


def test_delete_restore_recycle_bin_and_purge(
    admin_client: TestClient, user_client: TestClient, crm: str
) -> None:
    lead = create(user_client, {"name": "Gone"})
    deleted = user_client.delete(f"{LEADS}/records/{lead['id']}").json()
    assert deleted["deleted_at"] is not None
    assert_problem(user_client.get(f"{LEADS}/records/{lead['id']}"), 404, "not_found")
    assert user_client.get(f"{LEADS}/records").json()["items"] == []
    binned = user_client.get(f"{LEADS}/recycle-bin").json()["items"]
    assert [r["id"] for r in binned] == [lead["id"]]
    restored = user_client.post(f"{LEADS}/records/{lead['id']}/restore").json()
    assert restored["deleted_at"] is None
    user_client.delete(f"{LEADS}/records/{lead['id']}")
    purge = f"{LEADS}/recycle-bin/{lead['id']}"
    assert_problem(user_client.delete(purge), 403, "permission_denied")
    assert admin_client.delete(purge).status_code == 204
    assert user_client.get(f"{LEADS}/recycle-bin").json()["items"] == []


def test_history_records_actor_and_source(admin_client: TestClient, crm: str) -> None:
    lead = create(admin_client, {"name": "H"})
    admin_client.patch(f"{LEADS}/records/{lead['id']}", json={"name": "H2"})
    token = admin_client.post("/api/auth/tokens", json={"name": "t"}).json()["token"]
    bearer = TestClient(admin_client.app, headers={"Authorization": f"Bearer {token}"})
    assert bearer.patch(f"{LEADS}/records/{lead['id']}", json={"name": "H3"}).status_code == 200
    history = admin_client.get(f"{LEADS}/records/{lead['id']}/history").json()
    created = history[0]
    assert created["field"] == "*" and created["new_value"]["name"] == "H"
    assert created["source"] == "ui" and created["actor_id"] == lead["created_by"]
    names = [(h["old_value"], h["new_value"], h["source"]) for h in history if h["field"] == "name"]
    assert names == [("H", "H2", "ui"), ("H2", "H3", "api")]


def test_export_and_import_csv(admin_client: TestClient, crm: str) -> None:
    create(admin_client, {"name": "Exported", "amount": "10"})
    export = admin_client.get(f"{LEADS}/records/export", params={"format": "csv"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "Exported" in export.text
    data = b"Name,Amount\nImported One,5\nImported Two,7\n"
    files = {"file": ("leads.csv", data, "text/csv")}
    dry = admin_client.post(f"{LEADS}/records/import", files=files, data={"dry_run": "true"})
    assert dry.status_code == 200, dry.text
    assert dry.json()["ok"] is True and dry.json()["total"] == 2 and dry.json()["created"] == []
    done = admin_client.post(
        f"{LEADS}/records/import",
        files=files,
        data={"dry_run": "false", "mapping": json.dumps({"Name": "name", "Amount": "amount"})},
    )
    assert len(done.json()["created"]) == 2
    total = admin_client.get(f"{LEADS}/records", params={"count": "true"}).json()["total"]
    assert total == 3
    bad = admin_client.post(
        f"{LEADS}/records/import", files={"file": ("x.txt", b"x", "text/plain")}
    )
    assert assert_problem(bad, 422, "validation_failed")["errors"][0]["pointer"] == "/file"


def test_unknown_app_entity_and_record_are_404(admin_client: TestClient, crm: str) -> None:
    assert_problem(admin_client.get("/api/apps/nope/entities/lead/records"), 404, "not_found")
    assert_problem(admin_client.get("/api/apps/crm/entities/nope/records"), 404, "not_found")
    assert_problem(admin_client.get(f"{LEADS}/records/999"), 404, "not_found")
    assert_problem(admin_client.patch(f"{LEADS}/records/999", json={}), 404, "not_found")


def test_etag_and_if_match(admin_client: TestClient, crm: str) -> None:
    lead = create(admin_client, {"name": "E"})
    url = f"{LEADS}/records/{lead['id']}"
    tag = admin_client.get(url).headers["etag"]
    assert tag == 'W/"1"'
    changed = admin_client.patch(url, json={"name": "E2"}, headers={"If-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] == 'W/"2"'
    stale = admin_client.patch(url, json={"name": "E3"}, headers={"If-Match": tag})
    assert assert_problem(stale, 409, "conflict")["current"]["name"] == "E2"
    bad = admin_client.patch(url, json={"name": "E3"}, headers={"If-Match": "*x"})
    assert assert_problem(bad, 422, "validation_failed")["errors"][0]["pointer"] == (
        "/headers/if-match"
    )
