"""Data scopes per kind, through the API: own (+ the public pool), department tree, all,
a custom condition, shares, department-inherited roles, and no role at all."""

from __future__ import annotations

import json
from typing import Any

from access_testing import Secured
from fastapi import FastAPI
from platform_testing import assert_problem

LEADS = "/api/apps/crm/entities/lead/records"
ACCOUNTS = "/api/apps/crm/entities/account/records"


def names(client: object, app_url: str = LEADS) -> list[str]:
    response = client.get(app_url, params={"sort": "name", "limit": 100})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def test_a_rep_sees_own_leads_and_the_public_pool(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "rex") as rex:
        assert names(rex) == ["pool", "rex1", "rex2"]
        total = rex.get(LEADS, params={"count": "true"}).json()["total"]
        assert total == 3
        assert_problem(rex.get(f"{LEADS}/{secured.leads['wes1']}"), 404, "not_found")
        assert rex.get(f"{LEADS}/{secured.leads['pool']}").status_code == 200


def test_out_of_scope_writes_are_not_found_and_readable_ones_forbidden(
    app: FastAPI, secured: Secured
) -> None:
    with secured.client(app, "rex") as rex:
        other = secured.leads["wes1"]
        assert_problem(rex.patch(f"{LEADS}/{other}", json={"name": "x"}), 404, "not_found")
        # The pool is readable but the write scope is "own".
        pool = secured.leads["pool"]
        assert_problem(rex.patch(f"{LEADS}/{pool}", json={"name": "x"}), 403, "permission_denied")
        bulk = rex.patch(f"{LEADS}/bulk", json={"records": [{"id": other, "name": "x"}]})
        assert_problem(bulk, 404, "not_found")
        # No delete action at all.
        own = secured.leads["rex1"]
        assert_problem(rex.delete(f"{LEADS}/{own}"), 403, "permission_denied")
        changed = rex.patch(f"{LEADS}/{own}", json={"name": "rex1b"})
        assert changed.status_code == 200, changed.text


def test_a_manager_sees_the_department_tree(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "mia") as mia:
        assert names(mia) == ["rex1", "rex2", "wes1"]
        assert_problem(mia.get(f"{LEADS}/{secured.leads['fin1']}"), 404, "not_found")
        deleted = mia.delete(f"{LEADS}/{secured.leads['wes1']}")
        assert deleted.status_code == 200, deleted.text


def test_finance_sees_all_and_a_custom_condition_limits_rows(
    app: FastAPI, secured: Secured
) -> None:
    with secured.client(app, "fin") as fin:
        assert names(fin) == ["fin1", "pool", "rex1", "rex2", "wes1"]
        assert_problem(fin.post(LEADS, json={"name": "new"}), 403, "permission_denied")
    with secured.client(app, "win") as win:
        assert names(win) == ["fin1", "rex2"]


def test_a_user_without_roles_may_not_read(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "nob") as nob:
        assert_problem(nob.get(LEADS), 403, "permission_denied")
        assert_problem(nob.get(f"{LEADS}/{secured.leads['pool']}"), 403, "permission_denied")
        access = nob.get("/api/apps/crm/access").json()
        assert access == {"unrestricted": False, "roles": [], "design": [], "entities": {}}


def test_filters_cannot_widen_the_scope(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "rex") as rex:
        response = rex.get(
            LEADS, params={"filter": '{"or": [true, {"==": [{"var": "name"}, "wes1"]}]}'}
        )
        assert sorted(i["name"] for i in response.json()["items"]) == ["pool", "rex1", "rex2"]
        mine = rex.get(
            LEADS, params={"filter": '{"==": [{"var": "owner_id"}, {"var": "$user.id"}]}'}
        )
        assert sorted(i["name"] for i in mine.json()["items"]) == ["rex1", "rex2"]


def test_shares_open_one_record_for_reading_or_writing(app: FastAPI, secured: Secured) -> None:
    wes1 = secured.leads["wes1"]
    with secured.client(app, "wes") as wes, secured.client(app, "rex") as rex:
        assert_problem(rex.get(f"{LEADS}/{wes1}"), 404, "not_found")
        shared = wes.post(
            f"{LEADS}/{wes1}/shares", json={"user_id": secured.users["rex"], "access": "read"}
        )
        assert shared.status_code == 201, shared.text
        assert rex.get(f"{LEADS}/{wes1}").status_code == 200
        assert "wes1" in names(rex)
        assert_problem(rex.patch(f"{LEADS}/{wes1}", json={"name": "x"}), 403, "permission_denied")
        # Rex cannot share what he may not change.
        again = rex.post(
            f"{LEADS}/{wes1}/shares", json={"user_id": secured.users["rex"], "access": "write"}
        )
        assert_problem(again, 403, "permission_denied")
        wes.post(
            f"{LEADS}/{wes1}/shares",
            json={"department_id": secured.departments["East"], "access": "write"},
        )
        assert rex.patch(f"{LEADS}/{wes1}", json={"name": "wes1b"}).status_code == 200
        share_list = wes.get(f"{LEADS}/{wes1}/shares").json()
        assert [s["access"] for s in share_list] == ["read", "write"]
        for share in share_list:
            assert wes.delete(f"{LEADS}/{wes1}/shares/{share['id']}").status_code == 204
        assert_problem(rex.get(f"{LEADS}/{wes1}"), 404, "not_found")


def test_roles_api_assigns_and_removes(
    app: FastAPI, secured: Secured, admin_client: object
) -> None:
    client = admin_client
    roles = client.get("/api/apps/crm/roles").json()  # type: ignore[attr-defined]
    by_name = {r["name"]: r for r in roles}
    assert [m["name"] for m in by_name["rep"]["members"]] == ["Field"]
    added = client.post(  # type: ignore[attr-defined]
        "/api/apps/crm/roles/finance/members", json={"user_id": secured.users["nob"]}
    )
    assert added.status_code == 201, added.text
    with secured.client(app, "nob") as nob:
        assert "rex1" in names(nob)
        removed = client.delete(f"/api/apps/crm/roles/members/{added.json()['id']}")  # type: ignore[attr-defined]
        assert removed.status_code == 204
        assert_problem(nob.get(LEADS), 403, "permission_denied")
    bad = client.post("/api/apps/crm/roles/nope/members", json={"user_id": 999999})  # type: ignore[attr-defined]
    body = assert_problem(bad, 422, "validation_failed")
    assert {e["pointer"] for e in body["errors"]} == {"/role", "/user_id"}
    with secured.client(app, "rex") as rex:
        assert_problem(rex.get("/api/apps/crm/roles"), 403, "permission_denied")


def test_the_audit_log_records_role_changes_and_exports(
    app: FastAPI, secured: Secured, platform: object
) -> None:
    import sqlalchemy as sa

    from jimu.platform.models import AuditEvent

    with secured.client(app, "fin") as fin:
        assert fin.get(f"{LEADS}/export").status_code == 200
    with platform.engine.connect() as conn:  # type: ignore[attr-defined]
        kinds = list(conn.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.id)))
    assert kinds.count("role_assigned") == 5
    assert kinds[-1] == "export"


def test_links_may_only_point_at_readable_records(
    app: FastAPI, secured: Secured, admin_client: object
) -> None:
    from access_testing import ROLES

    client: Any = admin_client
    role = json.loads(json.dumps(ROLES["rep"]))
    role["entities"]["account"] = {"actions": ["read", "create"], "scope": "own"}
    assert client.put("/api/apps/crm/documents/role/rep", json=role).status_code in (200, 201)
    assert client.post("/api/apps/crm/publish", json={"kind": "role"}).status_code == 200
    theirs = client.post(ACCOUNTS, json={"name": "Admin's"}).json()["id"]
    with secured.client(app, "rex") as rex:
        mine = rex.post(ACCOUNTS, json={"name": "Rex's"}).json()["id"]
        refused = rex.post(LEADS, json={"name": "linked", "account": theirs})
        body = assert_problem(refused, 422, "validation_failed")
        assert body["errors"] == [
            {
                "pointer": "/account",
                "message": f"there is no account record {theirs}",
                "code": "link",
            }
        ]
        assert rex.post(LEADS, json={"name": "linked", "account": mine}).status_code == 201
        moved = rex.patch(f"{LEADS}/{secured.leads['rex1']}", json={"account": theirs})
        assert_problem(moved, 422, "validation_failed")


def test_a_share_with_a_department_reaches_the_departments_below(
    app: FastAPI, secured: Secured
) -> None:
    wes1 = secured.leads["wes1"]
    with secured.client(app, "wes") as wes, secured.client(app, "rex") as rex:
        shared = wes.post(
            f"{LEADS}/{wes1}/shares",
            json={"department_id": secured.departments["Field"], "access": "read"},
        )
        assert shared.status_code == 201
        assert rex.get(f"{LEADS}/{wes1}").status_code == 200  # East is below Field


def test_the_department_scope_reaches_the_members_of_the_same_department(
    app: FastAPI, secured: Secured, admin_client: object, platform: object
) -> None:
    from access_testing import ROLES

    from jimu.platform.models import UserDepartment

    client: Any = admin_client
    role = json.loads(json.dumps(ROLES["rep"]))
    role["entities"]["lead"].update(scope="department", write_scope="department")
    assert client.put("/api/apps/crm/documents/role/rep", json=role).status_code in (200, 201)
    assert client.post("/api/apps/crm/publish", json={"kind": "role"}).status_code == 200
    with secured.client(app, "rex") as rex:
        assert names(rex) == ["rex1", "rex2"]  # alone in East; no pool any more
        with platform.sessions() as db:  # type: ignore[attr-defined]
            db.add(
                UserDepartment(
                    user_id=secured.users["wes"],
                    department_id=secured.departments["East"],
                    is_main=False,
                    is_leader=False,
                )
            )
            db.commit()
        assert names(rex) == ["rex1", "rex2", "wes1"]
        changed = rex.patch(f"{LEADS}/{secured.leads['wes1']}", json={"name": "wes1b"})
        assert changed.status_code == 200
