"""The organisation page's API: merging departments, heads, the users list, creating users
with a one-time link or a temporary password, resets, edits and the roles a user holds; each
refused for non-administrators and each change in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from platform_testing import assert_problem, sign_in

from jimu.platform.models import AuditEvent, Department, RoleAssignment, User, UserDepartment
from jimu.platform.state import Platform

WRITES = [
    ("post", "/api/org/departments/1/merge", {"into_id": 2}),
    ("post", "/api/org/departments/1/heads", {"user_id": 1}),
    ("delete", "/api/org/departments/1/heads/1", None),
    ("post", "/api/org/users", {"username": "x"}),
    ("post", "/api/org/users/1/password-reset", {"access": "invite"}),
]
READS = ["/api/org/users", "/api/org/users/1/roles"]


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_writes_refuse_anonymous_and_non_admins(
    client: TestClient, user_client: TestClient, method: str, url: str, body: object
) -> None:
    kwargs = {"json": body} if body is not None else {}
    assert_problem(client.request(method, url, **kwargs), 401, "not_authenticated")
    assert_problem(user_client.request(method, url, **kwargs), 403, "permission_denied")


@pytest.mark.parametrize("url", READS)
def test_reads_are_for_administrators(user_client: TestClient, url: str) -> None:
    assert_problem(user_client.get(url), 403, "permission_denied")


def audit(platform: Platform, kind: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        query = sa.select(AuditEvent.detail).where(AuditEvent.kind == kind)
        return [dict(d) for d in conn.scalars(query.order_by(AuditEvent.id))]


def department(admin: TestClient, name: str, parent: int | None = None) -> int:
    response = admin.post("/api/org/departments", json={"name": name, "parent_id": parent})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def person(admin: TestClient, username: str, **extra: Any) -> dict[str, Any]:
    response = admin.post("/api/org/users", json={"username": username, **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_department_changes_are_audited(admin_client: TestClient, platform: Platform) -> None:
    acme = department(admin_client, "Acme")
    sales = department(admin_client, "Sales", acme)
    admin_client.patch(f"/api/org/departments/{sales}", json={"name": "Sales & Marketing"})
    admin_client.patch(f"/api/org/departments/{sales}", json={"parent_id": None})
    admin_client.patch(f"/api/org/departments/{sales}", json={"name": "Sales & Marketing"})
    assert admin_client.delete(f"/api/org/departments/{sales}").status_code == 204
    created = audit(platform, "department_created")
    assert [d["name"] for d in created] == ["Acme", "Sales"]
    changed = audit(platform, "department_changed")
    # The rename that changed nothing is not an event.
    assert [d["changes"] for d in changed] == [
        {"name": {"from": "Sales", "to": "Sales & Marketing"}},
        {"parent_id": {"from": acme, "to": None}},
    ]
    assert audit(platform, "department_deleted") == [
        {"department_id": sales, "name": "Sales & Marketing"}
    ]


def test_merge_moves_members_heads_children_and_roles(
    admin_client: TestClient, platform: Platform
) -> None:
    acme = department(admin_client, "Acme")
    east = department(admin_client, "East", acme)
    west = department(admin_client, "West", acme)
    east_a = department(admin_client, "East A", east)
    ann = person(admin_client, "ann", departments=[{"department_id": east, "is_leader": True}])
    bob = person(
        admin_client,
        "bob",
        departments=[
            {"department_id": east, "is_main": True},
            {"department_id": west, "is_leader": True},
        ],
    )
    ann_id, bob_id = ann["user"]["id"], bob["user"]["id"]
    with platform.sessions() as db:
        db.add_all(
            [
                RoleAssignment(app="crm", role="sales", department_id=east),
                RoleAssignment(app="crm", role="sales", department_id=west),
                RoleAssignment(app="crm", role="viewer", department_id=east),
            ]
        )
        db.commit()

    cycle = assert_problem(
        admin_client.post(f"/api/org/departments/{east}/merge", json={"into_id": east_a}),
        422,
        "validation_failed",
    )
    assert cycle["errors"][0]["pointer"] == "/into_id"
    assert cycle["errors"][0]["code"] == "cycle"
    missing = assert_problem(
        admin_client.post(f"/api/org/departments/{east}/merge", json={"into_id": 999}),
        422,
        "validation_failed",
    )
    assert missing["errors"][0]["pointer"] == "/into_id"

    merged = admin_client.post(f"/api/org/departments/{east}/merge", json={"into_id": west})
    assert merged.status_code == 200, merged.text
    assert merged.json()["moved"] == {"children": 1, "members": 2, "roles": 1, "shares": 0}
    with platform.sessions() as db:
        assert db.get(Department, east) is None
        assert db.get(Department, east_a).parent_id == west  # type: ignore[union-attr]
        rows = db.scalars(sa.select(UserDepartment).where(UserDepartment.department_id == west))
        members = {(m.user_id, m.is_main, m.is_leader) for m in rows}
        roles = set(
            db.execute(
                sa.select(RoleAssignment.role, RoleAssignment.department_id).where(
                    RoleAssignment.app == "crm"
                )
            ).all()
        )
    # Ann's head of East is head of West now; Bob kept one membership, main and head.
    assert members == {(ann_id, True, True), (bob_id, True, True)}
    assert roles == {("sales", west), ("viewer", west)}
    (event,) = audit(platform, "department_merged")
    assert event["department_id"] == east and event["into_id"] == west


def test_heads_are_set_and_unset(admin_client: TestClient, platform: Platform) -> None:
    sales = department(admin_client, "Sales")
    finance = department(admin_client, "Finance")
    ann = person(admin_client, "ann", departments=[{"department_id": finance}])["user"]
    heads = f"/api/org/departments/{sales}/heads"
    assert admin_client.post(heads, json={"user_id": ann["id"]}).status_code == 204
    tree = admin_client.get("/api/org/departments").json()
    (member,) = next(d for d in tree if d["id"] == sales)["members"]
    # Not a member before: now one, and not main (Finance stays her main department).
    assert (member["username"], member["is_leader"], member["is_main"]) == ("ann", True, False)
    assert admin_client.delete(f"{heads}/{ann['id']}").status_code == 204
    tree = admin_client.get("/api/org/departments").json()
    (member,) = next(d for d in tree if d["id"] == sales)["members"]
    assert member["is_leader"] is False
    unknown = assert_problem(
        admin_client.post(heads, json={"user_id": 999}), 422, "validation_failed"
    )
    assert unknown["errors"][0]["pointer"] == "/user_id"
    not_member = admin_client.delete(f"/api/org/departments/{sales}/heads/{admin_id(platform)}")
    assert_problem(not_member, 404, "not_found")
    assert_problem(admin_client.delete(f"{heads}/999"), 404, "not_found")
    changes = [d["changes"]["head"] for d in audit(platform, "department_changed")]
    assert changes == [
        {"user_id": ann["id"], "is_head": True},
        {"user_id": ann["id"], "is_head": False},
    ]


def test_users_list_searches_and_filters_by_department_tree(admin_client: TestClient) -> None:
    acme = department(admin_client, "Acme")
    east = department(admin_client, "East", acme)
    person(admin_client, "ann", display_name="Ann Lee", departments=[{"department_id": east}])
    person(admin_client, "bob", display_name="Bob", email="bob@example.com", mobile="13800138000")
    names = lambda url: [u["username"] for u in admin_client.get(url).json()]  # noqa: E731
    assert names("/api/org/users?q=lee") == ["ann"]
    assert names("/api/org/users?q=EXAMPLE.com") == ["bob"]
    assert names("/api/org/users?q=1380013") == ["bob"]
    assert names(f"/api/org/users?department_id={acme}") == ["ann"]
    (ann,) = admin_client.get(f"/api/org/users?department_id={east}").json()
    assert ann["departments"] == [{"department_id": east, "is_main": True, "is_leader": False}]
    assert ann["must_change_password"] is False


def test_creating_a_user_refuses_bad_input_naming_fields(admin_client: TestClient) -> None:
    taken = assert_problem(
        admin_client.post("/api/org/users", json={"username": "admin"}), 409, "conflict"
    )
    assert taken["errors"][0]["pointer"] == "/username"
    bad = assert_problem(
        admin_client.post("/api/org/users", json={"username": "no spaces"}),
        422,
        "validation_failed",
    )
    assert bad["errors"][0]["pointer"] == "/username"
    away = assert_problem(
        admin_client.post(
            "/api/org/users",
            json={
                "username": "ann",
                "away_from": "2026-12-24T00:00:00+08:00",
                "away_until": "2026-12-20T00:00:00+08:00",
            },
        ),
        422,
        "validation_failed",
    )
    assert away["errors"][0]["pointer"] == "/away_until"
    department_missing = assert_problem(
        admin_client.post(
            "/api/org/users", json={"username": "ann", "departments": [{"department_id": 99}]}
        ),
        422,
        "validation_failed",
    )
    assert department_missing["errors"][0]["pointer"] == "/departments/0/department_id"
    assert [u["username"] for u in admin_client.get("/api/org/users").json()] == ["admin"]


def test_a_temporary_password_must_be_changed_before_anything_else(
    admin_client: TestClient, app: Any, platform: Platform
) -> None:
    made = person(admin_client, "ann", display_name="Ann", access="temporary")
    temporary = made["temporary_password"]
    assert made["invite_path"] is None and made["user"]["must_change_password"] is True
    with TestClient(app) as ann:
        sign_in(ann, "ann", temporary)
        refused = assert_problem(ann.get("/api/org/departments"), 403, "permission_denied")
        assert refused["reason"] == "password_change_required"
        assert ann.get("/api/auth/me").status_code == 200
        # The pages send her to the password form.
        page = ann.get("/apps", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/account/security?notice=must_change"
        form = ann.get("/account/security")
        assert form.status_code == 200 and "temporary" in form.text
        changed = ann.post(
            "/api/auth/password",
            json={"current_password": temporary, "new_password": "my-own-secret-7"},
        )
        assert changed.status_code == 204, changed.text
        assert ann.get("/api/org/departments").status_code == 200
        assert ann.get("/apps", follow_redirects=False).status_code == 200
    (reset,) = audit(platform, "password_reset")
    assert reset["method"] == "temporary"
    (created,) = audit(platform, "user_created")
    assert created["access"] == "temporary"


def test_a_reset_gives_a_new_temporary_password_and_ends_sessions(
    admin_client: TestClient, app: Any
) -> None:
    ann = person(admin_client, "ann", access="temporary")
    with TestClient(app) as browser:
        sign_in(browser, "ann", ann["temporary_password"])
        reset = admin_client.post(
            f"/api/org/users/{ann['user']['id']}/password-reset", json={"access": "temporary"}
        )
        assert reset.status_code == 200, reset.text
        new = reset.json()["temporary_password"]
        assert new and new != ann["temporary_password"]
        assert_problem(browser.get("/api/auth/me"), 401, "not_authenticated")
        login = browser.post("/api/auth/login", json={"username": "ann", "password": new})
        assert login.status_code == 200


def test_admin_edits_are_audited_and_checked(admin_client: TestClient, platform: Platform) -> None:
    ann = person(admin_client, "ann", access="temporary")["user"]
    bob = person(admin_client, "bob", access="temporary")["user"]
    url = f"/api/users/{ann['id']}"
    changed = admin_client.patch(
        url,
        json={
            "display_name": "Ann Lee",
            "mobile": "13800138000",
            "away_from": "2026-12-24T00:00:00+08:00",
            "away_until": "2026-12-28T00:00:00+08:00",
        },
    )
    assert changed.status_code == 200, changed.text
    (row,) = [u for u in admin_client.get("/api/org/users?q=ann").json()]
    assert row["mobile"] == "13800138000"
    assert row["away_from"].startswith("2026-12-23T16:00:00")
    cleared = admin_client.patch(url, json={"away_from": None, "away_until": None, "mobile": ""})
    assert cleared.status_code == 200
    (row,) = admin_client.get("/api/org/users?q=ann").json()
    assert (row["mobile"], row["away_from"], row["away_until"]) == (None, None, None)
    backwards = assert_problem(
        admin_client.patch(
            url,
            json={"away_from": "2026-12-24T00:00:00Z", "away_until": "2026-12-20T00:00:00Z"},
        ),
        422,
        "validation_failed",
    )
    assert backwards["errors"][0]["pointer"] == "/away_until"
    assert admin_client.patch(url, json={"is_active": False}).json()["is_active"] is False
    # Managers: Bob manages Ann, so Ann cannot manage Bob.
    assert (
        admin_client.put(f"/api/org/users/{ann['id']}/manager", json={"manager_id": bob["id"]})
    ).status_code == 200
    cycle = assert_problem(
        admin_client.put(f"/api/org/users/{bob['id']}/manager", json={"manager_id": ann["id"]}),
        422,
        "validation_failed",
    )
    assert cycle["errors"][0]["pointer"] == "/manager_id"
    changes = [d["changes"] for d in audit(platform, "user_changed")]
    assert changes[0]["display_name"] == {"from": "ann", "to": "Ann Lee"}
    assert changes[0]["mobile"] == {"from": None, "to": "13800138000"}
    assert set(changes[1]) == {"mobile", "away_from", "away_until"}
    assert changes[2] == {"is_active": {"from": True, "to": False}}
    assert changes[3] == {"manager_id": {"from": None, "to": bob["id"]}}
    assert len(changes) == 4


def test_roles_held_include_those_of_departments_above(
    admin_client: TestClient, platform: Platform
) -> None:
    acme = department(admin_client, "Acme")
    east = department(admin_client, "East", acme)
    ann = person(admin_client, "ann", departments=[{"department_id": east}])["user"]
    with platform.sessions() as db:
        db.add_all(
            [
                RoleAssignment(app="crm", role="viewer", department_id=acme),
                RoleAssignment(app="crm", role="sales", user_id=ann["id"]),
                RoleAssignment(app="crm", role="sales", department_id=east),
                RoleAssignment(app="crm", role="viewer", user_id=admin_id(platform)),
            ]
        )
        db.commit()
    held = admin_client.get(f"/api/org/users/{ann['id']}/roles").json()
    assert [(r["app"], r["role"], r["department_id"]) for r in held] == [
        ("crm", "sales", None),
        ("crm", "sales", east),
        ("crm", "viewer", acme),
    ]
    assert_problem(admin_client.get("/api/org/users/999/roles"), 404, "not_found")


def test_users_must_exist(admin_client: TestClient) -> None:
    assert_problem(
        admin_client.post("/api/org/users/999/password-reset", json={"access": "invite"}),
        404,
        "not_found",
    )
    assert_problem(admin_client.patch("/api/users/999", json={"mobile": "1"}), 404, "not_found")


def admin_id(platform: Platform) -> int:
    with platform.sessions() as db:
        return int(db.scalars(sa.select(User.id).where(User.username == "admin")).one())
