"""The organisation designer's other forms in Chromium: move with the picker (a cycle pinned at
the field), merge one department into another, delete an empty one (one with sub-departments
refused in words), and a user edited: profile and away dates, departments (main and head), a
manager (a cycle refused at the field), deactivated, and a new one-time link."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

from jimu.platform.models import Department, User, UserDepartment
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser


def seed(platform: Platform) -> dict[str, int]:
    with platform.sessions() as db:
        acme = Department(name="Acme")
        db.add(acme)
        db.flush()
        sales = Department(name="Sales", parent_id=acme.id, sort_order=1)
        east = Department(name="East", parent_id=acme.id, sort_order=2)
        db.add_all([sales, east])
        db.flush()
        north = Department(name="North", parent_id=east.id)
        ann = User(username="ann", display_name="Ann", password_hash="!x")
        bob = User(username="bob", display_name="Bob", password_hash="!x")
        db.add_all([north, ann, bob])
        db.flush()
        db.add(UserDepartment(user_id=ann.id, department_id=east.id, is_main=True, is_leader=True))
        ann.manager_id = bob.id
        db.commit()
        return {
            "acme": acme.id,
            "sales": sales.id,
            "east": east.id,
            "north": north.id,
            "ann": ann.id,
            "bob": bob.id,
        }


def test_pickers_merge_delete_and_a_user_edited(live: str, platform: Platform) -> None:
    ids = seed(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/admin/organisation", "en")
        node = lambda key: page.locator(f".dept-node[data-id='{ids[key]}'] > .dept-row")  # noqa: E731
        pinned = lambda pointer: page.locator(f".pinned[data-pointer='{pointer}'] .pinned-error")  # noqa: E731

        # Move Acme under North with the picker: a cycle, pinned at the picker.
        node("acme").locator(".dept-name").click()
        designer.expect_failure(422, f"/api/org/departments/{ids['acme']}")
        page.select_option("#move-to", str(ids["north"]))
        page.click("#move-dept")
        expect(pinned("/department/parent_id")).to_have_text(
            "A department cannot be moved under itself or one of its sub-departments."
        )
        # Deleting Acme is refused in words (it has sub-departments), nothing is asked.
        page.click("#delete-dept")
        expect(page.locator("#org-message")).to_contain_text("Acme has sub-departments")

        # Merge East into Sales: Ann (head of East) is head of Sales, North moves under Sales.
        node("east").locator(".dept-name").click()
        page.select_option("#merge-into", str(ids["sales"]))
        page.click("#merge-dept")
        expect(page.locator("#org-message")).to_have_text("East merged into Acme / Sales.")
        expect(page.locator(f".dept-node[data-id='{ids['east']}']")).to_have_count(0)
        sales_children = page.locator(
            f".dept-node[data-id='{ids['sales']}'] .dept-children .dept-name"
        )
        expect(sales_children).to_have_text(["North"])
        expect(node("sales").locator(".dept-heads")).to_have_text("Head: Ann")

        # North is empty: delete it.
        node("north").locator(".dept-name").click()
        page.click("#delete-dept")
        expect(page.locator(f".dept-node[data-id='{ids['north']}']")).to_have_count(0)

        # Bob: profile, away dates, departments, manager (Ann is managed by Bob: a cycle).
        page.click("#tab-people")
        page.locator(".user-row[data-user=bob] .edit-user").click()
        page.fill("#edit-display-name", "Bob Smith")
        page.fill("#edit-mobile", "13800138000")
        page.fill("#edit-away-from", "2026-12-24T09:00")
        page.fill("#edit-away-until", "2026-12-28T18:00")
        page.click("#save-profile")
        expect(page.locator("#org-message")).to_have_text("Bob saved.")
        expect(page.locator(".user-row[data-user=bob] .edit-user")).to_have_text("Bob Smith")
        page.select_option("#edit-add-department", str(ids["acme"]))
        page.click("#add-membership")
        page.select_option("#edit-add-department", str(ids["sales"]))
        page.click("#add-membership")
        rows = page.locator(".membership-row")
        rows.nth(1).locator("input[type=radio]").check()
        rows.nth(1).locator("input[type=checkbox]").check()
        page.click("#save-departments")
        expect(page.locator(".user-row[data-user=bob] td").nth(1)).to_have_text(
            "Sales (Head), Acme"  # the main department first
        )
        designer.expect_failure(422, f"/api/org/users/{ids['bob']}/manager")
        page.select_option("#edit-manager", str(ids["ann"]))
        page.click("#save-manager")
        expect(pinned("/manager/manager_id")).to_have_text(
            "A user cannot be their own manager, directly or through others."
        )
        page.click("#reset-link")
        expect(page.locator("#invite-link")).to_have_value(re.compile("/invite/"))
        page.click("#toggle-active")
        expect(page.locator(".user-row[data-user=bob]")).to_contain_text("Deactivated")

    with platform.sessions() as db:
        bob = db.get(User, ids["bob"])
        assert bob is not None
        assert (bob.display_name, bob.mobile, bob.is_active) == ("Bob Smith", "13800138000", False)
        assert bob.away_from is not None and bob.away_until is not None
        assert bob.manager_id is None
        memberships = db.execute(
            sa.select(
                UserDepartment.department_id, UserDepartment.is_main, UserDepartment.is_leader
            ).where(UserDepartment.user_id == bob.id)
        ).all()
        assert sorted(memberships) == sorted(
            [(ids["acme"], False, False), (ids["sales"], True, True)]
        )
        assert db.get(Department, ids["east"]) is None
        ann_sales = db.get(UserDepartment, (ids["ann"], ids["sales"]))
        assert ann_sales is not None and ann_sales.is_leader
