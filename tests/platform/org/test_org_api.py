from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from org_testing import DEPARTMENTS_ZH, USERS_EN, USERS_ZH, make_tree
from platform_testing import assert_problem

from jimu.platform.models import User
from jimu.platform.state import Platform

WRITES = [
    ("post", "/api/org/departments", {"name": "X"}),
    ("patch", "/api/org/departments/1", {"name": "X"}),
    ("delete", "/api/org/departments/1", None),
    ("put", "/api/org/users/1/departments", {"departments": []}),
    ("put", "/api/org/users/1/manager", {"manager_id": None}),
    ("post", "/api/org/import", {"departments": []}),
]


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_writes_refuse_anonymous_and_non_admins(
    client: TestClient, user_client: TestClient, method: str, url: str, body: object
) -> None:
    kwargs = {"json": body} if body is not None else {}
    assert_problem(client.request(method, url, **kwargs), 401, "not_authenticated")
    assert_problem(user_client.request(method, url, **kwargs), 403, "permission_denied")


def test_reads_need_a_signed_in_user(client: TestClient, user_client: TestClient) -> None:
    assert_problem(client.get("/api/org/departments"), 401, "not_authenticated")
    assert user_client.get("/api/org/departments").json() == []


def test_department_crud_and_cycles(admin_client: TestClient) -> None:
    root = admin_client.post("/api/org/departments", json={"name": "Acme", "external_id": "1"})
    assert root.status_code == 201, root.text
    root_id = root.json()["id"]
    sales = admin_client.post(
        "/api/org/departments", json={"name": "Sales", "parent_id": root_id}
    ).json()
    east = admin_client.post(
        "/api/org/departments", json={"name": "East", "parent_id": sales["id"]}
    ).json()
    tree = admin_client.get("/api/org/departments").json()
    assert [d["name"] for d in tree] == ["Acme"]
    assert tree[0]["children"][0]["children"][0]["id"] == east["id"]

    problem = assert_problem(
        admin_client.patch(f"/api/org/departments/{root_id}", json={"parent_id": east["id"]}),
        422,
        "validation_failed",
    )
    assert problem["errors"][0]["pointer"] == "/parent_id"
    missing = assert_problem(
        admin_client.post("/api/org/departments", json={"name": "Lost", "parent_id": 999}),
        422,
        "validation_failed",
    )
    assert missing["errors"][0]["pointer"] == "/parent_id"
    assert_problem(
        admin_client.post("/api/org/departments", json={"name": "Dup", "external_id": "1"}),
        409,
        "conflict",
    )
    renamed = admin_client.patch(
        f"/api/org/departments/{east['id']}", json={"name": "East 2", "sort_order": None}
    )
    assert renamed.json()["name"] == "East 2"
    assert renamed.json()["sort_order"] == 0
    moved = admin_client.patch(f"/api/org/departments/{east['id']}", json={"parent_id": None})
    assert moved.json()["parent_id"] is None
    admin_client.patch(f"/api/org/departments/{east['id']}", json={"parent_id": sales["id"]})
    assert_problem(admin_client.delete(f"/api/org/departments/{root_id}"), 409, "conflict")
    assert admin_client.delete(f"/api/org/departments/{east['id']}").status_code == 204
    assert_problem(admin_client.delete(f"/api/org/departments/{east['id']}"), 404, "not_found")


def test_assign_departments_and_manager(
    platform: Platform, admin_client: TestClient, admin: User, user: User
) -> None:
    ids = make_tree(platform)
    answer = admin_client.put(
        f"/api/org/users/{user.id}/departments",
        json={
            "departments": [
                {"department_id": ids["Finance"]},
                {"department_id": ids["Sales"], "is_main": True, "is_leader": True},
            ]
        },
    )
    assert answer.status_code == 200, answer.text
    context = answer.json()
    assert context["main_department_id"] == ids["Sales"]
    assert context["led_department_ids"] == [ids["Sales"]]
    bad = assert_problem(
        admin_client.put(
            f"/api/org/users/{user.id}/departments",
            json={"departments": [{"department_id": 999}, {"department_id": 999}]},
        ),
        422,
        "validation_failed",
    )
    assert [e["pointer"] for e in bad["errors"]] == [
        "/departments/0/department_id",
        "/departments/1/department_id",
    ]
    managed = admin_client.put(f"/api/org/users/{user.id}/manager", json={"manager_id": admin.id})
    assert managed.json()["manager_id"] == admin.id
    cycle = assert_problem(
        admin_client.put(f"/api/org/users/{admin.id}/manager", json={"manager_id": user.id}),
        422,
        "validation_failed",
    )
    assert cycle["errors"][0]["pointer"] == "/manager_id"


def test_context_is_for_oneself_or_admins(
    admin_client: TestClient, user_client: TestClient, admin: User, user: User
) -> None:
    own = user_client.get(f"/api/org/users/{user.id}/context")
    assert own.status_code == 200
    assert own.json()["username"] == "alice"
    assert_problem(user_client.get(f"/api/org/users/{admin.id}/context"), 403, "permission_denied")
    assert admin_client.get(f"/api/org/users/{user.id}/context").json()["id"] == user.id
    assert_problem(admin_client.get("/api/org/users/999/context"), 404, "not_found")


def test_import_csv_files_dry_run_by_default_then_apply(admin_client: TestClient) -> None:
    files = {
        "departments": ("departments.csv", DEPARTMENTS_ZH.encode("gb18030"), "text/csv"),
        "users": ("users.csv", USERS_ZH.encode("utf-8-sig"), "text/csv"),
    }
    dry = admin_client.post("/api/org/import", files=files)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    assert dry.json()["departments"]["created"] == 5
    assert admin_client.get("/api/org/departments").json() == []

    applied = admin_client.post("/api/org/import?dry_run=false", files=files).json()
    assert applied["applied"] is True
    tree = admin_client.get("/api/org/departments").json()
    assert tree[0]["name"] == "积木科技"
    sales = tree[0]["children"][0]
    assert sales["name"] == "销售部"
    assert sales["members"] == [
        {
            "user_id": sales["members"][0]["user_id"],
            "username": "zhangsan",
            "display_name": "张三",
            "is_main": True,
            "is_leader": True,
        }
    ]
    again = admin_client.post("/api/org/import?dry_run=false", files=files).json()
    assert again["users"] == {"created": 0, "updated": 0, "unchanged": 3}


def test_import_json_with_errors_is_refused_with_pointers(admin_client: TestClient) -> None:
    body = {
        "departments": [{"department_id": "1", "name": "Root"}],
        "users": [{"userid": "ann", "name": "Ann", "email": "nope", "departments": "1"}],
    }
    dry = admin_client.post("/api/org/import", json=body).json()
    assert [e["pointer"] for e in dry["errors"]] == ["/users/0/email"]
    problem = assert_problem(
        admin_client.post("/api/org/import?dry_run=false", json=body), 422, "validation_failed"
    )
    assert [e["pointer"] for e in problem["errors"]] == ["/users/0/email"]
    assert admin_client.get("/api/org/departments").json() == []
    assert_problem(admin_client.post("/api/org/import", json=[1]), 422, "validation_failed")
    assert_problem(
        admin_client.post("/api/org/import", json={"users": "x"}), 422, "validation_failed"
    )


def test_import_users_referring_to_existing_departments(admin_client: TestClient) -> None:
    departments = "Department ID,Parent ID,Name\n10,,Acme\n11,10,Sales\n12,11,East\n"
    admin_client.post(
        "/api/org/import?dry_run=false",
        files={"departments": ("d.csv", departments.encode(), "text/csv")},
    )
    answer = admin_client.post(
        "/api/org/import?dry_run=false",
        files={"users": ("u.csv", USERS_EN.encode(), "text/csv")},
    ).json()
    assert answer["errors"] == []
    assert answer["users"]["created"] == 2


def test_a_bare_carriage_return_ends_a_line_and_a_nul_byte_is_a_422(
    admin_client: TestClient,
) -> None:
    mac_excel = "department_id,name,parent_id\r1,Root,\r2,Sales,1\r"
    dry = admin_client.post("/api/org/import", files={"departments": ("d.csv", mac_excel.encode())})
    assert dry.status_code == 200, dry.text
    assert dry.json()["departments"]["created"] == 2
    broken = "department_id,name\n1,Ro\x00ot\n"
    problem = assert_problem(
        admin_client.post("/api/org/import", files={"departments": ("d.csv", broken.encode())}),
        422,
        "validation_failed",
    )
    assert problem["errors"][0]["pointer"] == "/departments"
    assert "line" in problem["errors"][0]["message"]
