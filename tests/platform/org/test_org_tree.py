from __future__ import annotations

import pytest
from org_testing import join, make_tree

from jimu.errors import ValidationFailed
from jimu.platform.models import User
from jimu.platform.org.context import user_context
from jimu.platform.org.tree import (
    ancestor_ids,
    check_new_parent,
    department_path,
    descendant_ids,
    find_cycle,
)
from jimu.platform.state import Platform


def test_descendants_ancestors_and_path(platform: Platform) -> None:
    ids = make_tree(platform)
    with platform.engine.connect() as conn:
        assert descendant_ids(conn, [ids["Sales"]]) == {ids["Sales"], ids["East"], ids["North"]}
        assert descendant_ids(conn, [ids["Acme"]]) == set(ids.values())
        assert descendant_ids(conn, [ids["Finance"], ids["East"]]) == {
            ids["Finance"],
            ids["East"],
        }
        assert descendant_ids(conn, []) == set()
        assert ancestor_ids(conn, ids["East"]) == [ids["Acme"], ids["Sales"], ids["East"]]
        assert ancestor_ids(conn, ids["Acme"]) == [ids["Acme"]]
        assert department_path(conn, ids["North"]) == ["Acme", "Sales", "North"]


def test_moving_a_department_under_itself_or_a_descendant_is_refused(platform: Platform) -> None:
    ids = make_tree(platform)
    with platform.engine.connect() as conn:
        for new_parent in (ids["Sales"], ids["East"], ids["North"]):
            with pytest.raises(ValidationFailed) as caught:
                check_new_parent(conn, ids["Sales"], new_parent)
            assert caught.value.errors[0].pointer == "/parent_id"
        check_new_parent(conn, ids["Sales"], ids["Finance"])
        check_new_parent(conn, ids["East"], None)


def test_find_cycle_follows_parents() -> None:
    parents: dict[str, str | None] = {"a": "b", "b": "c", "c": "a", "d": "a", "e": None}
    assert find_cycle(parents, "a") == ["a", "b", "c"]
    assert find_cycle(parents, "d") == ["a", "b", "c"]
    assert find_cycle(parents, "e") is None
    assert find_cycle({"x": "x"}, "x") == ["x"]


def test_user_context(platform: Platform, admin: User, user: User) -> None:
    ids = make_tree(platform)
    join(platform, user, ids["Sales"], main=True, leader=True)
    join(platform, user, ids["Finance"], main=False, leader=False)
    with platform.sessions() as db:
        alice = db.get(User, user.id)
        assert alice is not None
        alice.manager_id = admin.id
        db.commit()
    with platform.engine.connect() as conn:
        context = user_context(conn, user.id)
        assert context == {
            "id": user.id,
            "username": "alice",
            "department_ids": sorted([ids["Sales"], ids["Finance"]]),
            "main_department_id": ids["Sales"],
            "department_and_descendant_ids": sorted(
                [ids["Sales"], ids["East"], ids["North"], ids["Finance"]]
            ),
            "led_department_ids": [ids["Sales"]],
            "manager_id": admin.id,
            "is_admin": False,
            "department_member_ids": [user.id],
            "department_tree_member_ids": [user.id],
            "report_ids": [],
        }
        bare = user_context(conn, admin.id)
        assert bare["report_ids"] == [user.id]
        assert bare["department_member_ids"] == [admin.id]
        assert bare["department_ids"] == []
        assert bare["main_department_id"] is None
        assert bare["department_and_descendant_ids"] == []
        assert bare["is_admin"] is True


def test_user_context_of_a_missing_user(platform: Platform) -> None:
    from jimu.errors import NotFound

    with platform.engine.connect() as conn, pytest.raises(NotFound):
        user_context(conn, 999)
