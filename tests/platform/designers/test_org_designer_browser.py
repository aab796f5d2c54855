"""The organisation designer in Chromium, in English and in Chinese: a department REALLY
dragged under another (and a drag that would make a cycle refused, the server's words shown),
a department added, a user created with a temporary password, another invited by a one-time
link that a second browser opens to choose a password and land signed in, a head set and a
role given; every change in the database and the audit log. No CSP violation, console or
unexpected HTTP error on the way."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect

from jimu.platform.models import AuditEvent, Department, RoleAssignment, User, UserDepartment
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
#: A temporary password: letters and digits, 14 at least.
TEMPORARY = re.compile(r"^[A-Za-z0-9]{14,}$")

TEXTS = {
    "en": {
        "people": "Users",
        "roles": "Role holders",
        "moved": "East moved to Sales.",
        "cycle": "A department cannot be moved under itself or one of its sub-departments.",
        "head": "Head",
        "up": "Move Support up",
        "finance": "Finance",
        "welcome": "Welcome, Dave",
    },
    "zh": {
        "people": "成员",
        "roles": "角色成员",
        "moved": "已把 East 移到 Sales。",
        "cycle": "部门不能移到自己或自己的子部门下。",
        "head": "负责人",
        "up": "上移 Support",
        "finance": "财务",
        "welcome": "欢迎，Dave",
    },
}


def seed(platform: Platform) -> dict[str, int]:
    with platform.sessions() as db:
        acme = Department(name="Acme")
        db.add(acme)
        db.flush()
        sales = Department(name="Sales", parent_id=acme.id, sort_order=1)
        east = Department(name="East")
        db.add_all([sales, east])
        db.commit()
        return {"acme": acme.id, "sales": sales.id, "east": east.id}


def row(page: Page, department_id: int) -> Locator:
    return page.locator(f".dept-node[data-id='{department_id}'] > .dept-row")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_departments_users_invitations_heads_and_roles(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    ids = seed(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/admin/organisation", lang)
        expect(page.locator(".org-designer[data-loaded=true]")).to_have_count(1)

        # A real drag: East onto Sales makes it a sub-department of Sales.
        designer.drag(row(page, ids["east"]), row(page, ids["sales"]))
        expect(page.locator("#org-message")).to_have_text(texts["moved"])
        nested = page.locator(f".dept-node[data-id='{ids['sales']}'] .dept-children .dept-name")
        expect(nested).to_have_text(["East"])
        # Acme onto East (now below Acme) would be a cycle: the server says so, nothing moves.
        designer.expect_failure(422, f"/api/org/departments/{ids['acme']}")
        designer.drag(row(page, ids["acme"]), row(page, ids["east"]))
        expect(page.locator("#org-message[role=alert]")).to_have_text(texts["cycle"])
        with platform.sessions() as db:
            assert db.get(Department, ids["east"]).parent_id == ids["sales"]  # type: ignore[union-attr]
            assert db.get(Department, ids["acme"]).parent_id is None  # type: ignore[union-attr]

        # Add a department under Acme.
        page.fill("#new-dept-name", "Support")
        page.select_option("#new-dept-parent", str(ids["acme"]))
        page.click("#add-dept")
        names = page.locator(f".dept-node[data-id='{ids['acme']}'] .dept-name")
        expect(names).to_have_text(["Acme", "Sales", "East", "Support"])
        # Order siblings: Support before Sales.
        page.get_by_role("button", name=texts["up"]).click()
        expect(names).to_have_text(["Acme", "Support", "Sales", "East"])

        # Users: one with a temporary password, one invited by a link.
        page.click("#tab-people")
        page.fill("#new-username", "carol")
        page.fill("#new-display-name", "Carol")
        page.select_option("#new-department", str(ids["sales"]))
        page.check("#access-temporary")
        page.click("#create-user")
        expect(page.locator("#temporary-password")).to_have_value(TEMPORARY)
        page.fill("#new-username", "dave")
        page.fill("#new-display-name", "Dave")
        page.check("#access-invite")
        page.click("#create-user")
        link = page.locator("#invite-link")
        expect(link).to_have_value(re.compile(re.escape(f"{live}/invite/")))
        invite_url = link.input_value()
        expect(page.locator(".user-row")).to_have_count(3)
        page.fill("#user-search", "car")
        expect(page.locator(".user-row")).to_have_count(1)
        page.fill("#user-search", "")
        page.select_option("#user-department", str(ids["acme"]))
        expect(page.locator(".user-row")).to_have_count(1)  # Carol, in Sales below Acme

        # Dave opens his link in another browser, chooses a password and lands signed in.
        browser = page.context.browser
        assert browser is not None
        other = browser.new_context(locale="en-US")
        try:
            dave = other.new_page()
            dave.goto(f"{invite_url}?lang={lang}")
            expect(dave.locator("#invite-intro")).to_contain_text(texts["welcome"])
            dave.fill("#new_password", "my-chosen-secret-7")
            dave.fill("#repeat_password", "my-chosen-secret-7")
            dave.click("#invite-submit")
            expect(dave).to_have_url(f"{live}/apps")
            expect(dave.locator(".user-chip")).to_contain_text("Dave")
        finally:
            other.close()

        # Carol becomes the head of Sales.
        page.click("#tab-departments")
        row(page, ids["sales"]).locator(".dept-name").click()
        with platform.sessions() as db:
            carol = db.scalars(sa.select(User).where(User.username == "carol")).one()
            dave_user = db.scalars(sa.select(User).where(User.username == "dave")).one()
        page.locator(".member-row[data-user=carol] .set-head").click()
        expect(page.locator(".member-row[data-user=carol] .head-badge")).to_have_text(texts["head"])

        # Dave gets the Finance role of the marketing app.
        page.click("#tab-roles")
        page.select_option("#role-app", "marketing")
        card = page.locator(".role-card[data-role=finance]")
        expect(card.locator("h3")).to_contain_text(texts["finance"])
        card.locator("#holder-user-finance").select_option(str(dave_user.id))
        card.locator(".give-role").click()
        expect(card.locator(".role-holder")).to_contain_text(["Dave"])

    with platform.sessions() as db:
        membership = db.get(UserDepartment, (carol.id, ids["sales"]))
        assert membership is not None and membership.is_leader
        held = db.scalars(
            sa.select(RoleAssignment.role).where(RoleAssignment.user_id == dave_user.id)
        ).all()
        assert held == ["finance"]
        kinds = set(db.scalars(sa.select(AuditEvent.kind)))
    assert {
        "department_changed",
        "department_created",
        "user_created",
        "user_invited",
        "password_reset",
        "invitation_used",
        "role_assigned",
    } <= kinds
