"""Who may become a record's owner: the roles' ``assign_to``, unknown and inactive owners, and
the write scope of the record as it is after the write (docs/access.md, "Owners")."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from access_testing import Secured
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, add_user, assert_problem, sign_in

from jimu.platform.models import User
from jimu.platform.state import Platform

LEADS = "/api/apps/crm/entities/lead/records"


def owner_of(client: TestClient, lead: int) -> Any:
    response = client.get(f"{LEADS}/{lead}")
    assert response.status_code == 200, response.text
    return response.json()["owner_id"]


def pointers(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["pointer"], e["code"]) for e in body["errors"]]


def admin_client(app: FastAPI, platform: Platform) -> TestClient:
    add_user(platform, "root", ADMIN_PASSWORD, is_admin=True)
    client = TestClient(app)
    sign_in(client, "root", ADMIN_PASSWORD)
    return client


def test_a_rep_may_not_hand_an_own_lead_to_someone_else(app: FastAPI, secured: Secured) -> None:
    own, wes = secured.leads["rex1"], secured.users["wes"]
    with secured.client(app, "rex") as rex:
        refused = rex.patch(f"{LEADS}/{own}", json={"owner_id": wes})
        body = assert_problem(refused, 403, "permission_denied")
        assert "only to yourself" in body["detail"]
        assert pointers(body) == [("/owner_id", "assign")]
        assert owner_of(rex, own) == secured.users["rex"]
        # giving the owner it already has, or themselves, is no assignment to anyone else
        same = rex.patch(f"{LEADS}/{own}", json={"owner_id": secured.users["rex"], "name": "r"})
        assert same.status_code == 200, same.text
        bulk = rex.patch(
            f"{LEADS}/bulk",
            json={
                "records": [
                    {"id": own, "name": "b"},
                    {"id": secured.leads["rex2"], "owner_id": wes},
                ]
            },
        )
        assert pointers(assert_problem(bulk, 403, "permission_denied")) == [
            ("/1/owner_id", "assign")
        ]


def test_a_rep_may_create_leads_only_for_themselves(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "rex") as rex:
        other = rex.post(LEADS, json={"name": "for wes", "owner_id": secured.users["wes"]})
        assert pointers(assert_problem(other, 403, "permission_denied")) == [
            ("/owner_id", "assign")
        ]
        bulk = rex.post(
            f"{LEADS}/bulk",
            json={"records": [{"name": "a"}, {"name": "b", "owner_id": secured.users["mia"]}]},
        )
        assert pointers(assert_problem(bulk, 403, "permission_denied")) == [
            ("/1/owner_id", "assign")
        ]
        mine = rex.post(LEADS, json={"name": "mine", "owner_id": secured.users["rex"]})
        assert mine.status_code == 201 and mine.json()["owner_id"] == secured.users["rex"]
        # nothing of the refused requests was written
        listed = rex.get(LEADS, params={"limit": 100}).json()["items"]
        assert sorted(item["name"] for item in listed) == ["mine", "pool", "rex1", "rex2"]


def test_a_manager_assigns_within_the_department_tree(app: FastAPI, secured: Secured) -> None:
    lead = secured.leads["rex1"]
    with secured.client(app, "mia") as mia:
        moved = mia.patch(f"{LEADS}/{lead}", json={"owner_id": secured.users["wes"]})
        assert moved.status_code == 200 and moved.json()["owner_id"] == secured.users["wes"]
        outside = mia.patch(f"{LEADS}/{lead}", json={"owner_id": secured.users["fin"]})
        body = assert_problem(outside, 403, "permission_denied")
        assert "department and the departments below it" in body["detail"]
        created = mia.post(LEADS, json={"name": "for rex", "owner_id": secured.users["rex"]})
        assert created.status_code == 201, created.text
        assert_problem(
            mia.post(LEADS, json={"name": "for fin", "owner_id": secured.users["fin"]}),
            403,
            "permission_denied",
        )
        assert owner_of(mia, lead) == secured.users["wes"]


def test_a_change_may_not_move_a_record_out_of_the_write_scope(
    app: FastAPI, secured: Secured
) -> None:
    """Clearing the owner is no assignment: the record as it would be after the write must
    still be one the writer may change, or nothing is written."""
    lead = secured.leads["rex1"]
    with secured.client(app, "mia") as mia:
        refused = mia.patch(f"{LEADS}/{lead}", json={"owner_id": None, "name": "gone"})
        body = assert_problem(refused, 403, "permission_denied")
        assert "out of the records you may change" in body["detail"]
        kept = mia.get(f"{LEADS}/{lead}").json()
        assert kept["owner_id"] == secured.users["rex"] and kept["name"] == "rex1"
        assert kept["version"] == 1
        bulk = mia.patch(
            f"{LEADS}/bulk",
            json={
                "records": [
                    {"id": secured.leads["wes1"], "name": "w"},
                    {"id": lead, "owner_id": None},
                ]
            },
        )
        assert_problem(bulk, 403, "permission_denied")
        assert mia.get(f"{LEADS}/{secured.leads['wes1']}").json()["name"] == "wes1"
    with secured.client(app, "rex") as rex:
        assert_problem(
            rex.patch(f"{LEADS}/{lead}", json={"owner_id": None}), 403, "permission_denied"
        )


def test_unknown_and_inactive_owners_are_422_for_administrators_too(
    app: FastAPI, platform: Platform, secured: Secured
) -> None:
    with platform.sessions() as db:
        db.execute(sa.update(User).where(User.username == "nob").values(is_active=False))
        db.commit()
    nob, lead = secured.users["nob"], secured.leads["rex1"]
    with admin_client(app, platform) as admin:
        for owner in (nob, 987654, 2**63, 2**70):
            refused = admin.patch(f"{LEADS}/{lead}", json={"owner_id": owner})
            body = assert_problem(refused, 422, "validation_failed")
            assert pointers(body) == [("/owner_id", "unknown_user")]
            assert f"there is no active user {owner}" in body["errors"][0]["message"]
        created = admin.post(LEADS, json={"name": "ghost", "owner_id": 987654})
        assert pointers(assert_problem(created, 422, "validation_failed")) == [
            ("/owner_id", "unknown_user")
        ]
        bulk = admin.post(
            f"{LEADS}/bulk", json={"records": [{"name": "a", "owner_id": nob}, {"name": "b"}]}
        )
        assert pointers(assert_problem(bulk, 422, "validation_failed")) == [
            ("/0/owner_id", "unknown_user")
        ]
        # administrators may assign to anyone active, across every department
        moved = admin.patch(f"{LEADS}/{lead}", json={"owner_id": secured.users["fin"]})
        assert moved.status_code == 200 and moved.json()["owner_id"] == secured.users["fin"]
        assert owner_of(admin, lead) == secured.users["fin"]


def test_a_record_that_keeps_an_inactive_owner_may_still_be_changed(
    app: FastAPI, platform: Platform, secured: Secured
) -> None:
    """Only an owner the write *gives* is checked: a record whose owner left stays editable,
    even when the client sends the owner back unchanged."""
    with platform.sessions() as db:
        db.execute(sa.update(User).where(User.username == "wes").values(is_active=False))
        db.commit()
    lead = secured.leads["wes1"]
    with admin_client(app, platform) as admin:
        changed = admin.patch(
            f"{LEADS}/{lead}", json={"owner_id": secured.users["wes"], "name": "still"}
        )
        assert changed.status_code == 200 and changed.json()["name"] == "still"


def test_the_access_api_tells_to_whom_the_caller_may_assign(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "rex") as rex:
        lead = rex.get("/api/apps/crm/access").json()["entities"]["lead"]
        assert lead["assign_to"] == "self"
    with secured.client(app, "mia") as mia:
        lead = mia.get("/api/apps/crm/access").json()["entities"]["lead"]
        assert lead["assign_to"] == "department_tree"


def test_in_an_app_without_roles_anyone_may_be_assigned_but_only_active_users(
    user_client: TestClient, crm: str, platform: Platform
) -> None:
    other = add_user(platform, "bob", "secure-password-1")
    base = "/api/apps/crm/entities/lead/records"
    created = user_client.post(base, json={"name": "for bob", "owner_id": other.id})
    assert created.status_code == 201 and created.json()["owner_id"] == other.id
    ghost = user_client.patch(f"{base}/{created.json()['id']}", json={"owner_id": 424242})
    assert pointers(assert_problem(ghost, 422, "validation_failed")) == [
        ("/owner_id", "unknown_user")
    ]


def test_roles_combine_to_the_most_open_assignment_of_those_that_write() -> None:
    from jimu.platform.access.policy import combine, parse_role

    def role(name: str, actions: list[str], assign_to: str | None = None) -> Any:
        rules: dict[str, Any] = {"actions": actions}
        if assign_to is not None:
            rules["assign_to"] = assign_to
        return parse_role({"name": name, "entities": {"lead": rules}})

    context = {"id": 1, "department_member_ids": [1, 2], "department_tree_member_ids": [1, 2, 3]}
    plain = combine("lead", [role("a", ["create"])])
    assert plain.assign_to == "self" and plain.assignees(context) == {1}
    reader = role("r", ["read"], "anyone")  # assigning needs create or update
    both = combine("lead", [role("a", ["update"], "department"), reader])
    assert both.assign_to == "department" and both.assignees(context) == {1, 2}
    tree = combine("lead", [role("a", ["update"], "department_tree"), role("b", ["create"])])
    assert tree.assignees(context) == {1, 2, 3}
    anyone = combine("lead", [tree_role := role("c", ["update"], "anyone"), reader])
    assert anyone.assignees(context) is None and tree_role.entities["lead"].assign_to == "anyone"
