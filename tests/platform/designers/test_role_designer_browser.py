"""The role editor and the condition builder in Chromium, in English and in Chinese: a new role
gets a custom read scope with a nested group built in the UI, one condition REALLY dragged into
the group, the words come from the server, it is published, and a user holding the role sees
exactly the leads the scope allows; reopened, the editor reads the condition back into the
same rows (round trip). No CSP violation, console or HTTP error on the way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from crm_app import write_app
from designer_harness import DesignerBrowser, open_browser, pick, pick_field
from live_server import serve
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import Locator, expect

from jimu.app import create_app
from jimu.platform import metadata_store as store
from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
PASSWORD = "holder-password-1"
#: The scope the test builds: won leads, or (own leads whose name starts with "rex").
EXPECTED = {
    "or": [
        {"in_list": [{"var": "status"}, ["won"]]},
        {
            "and": [
                {"==": [{"var": "owner_id"}, {"var": "$user.id"}]},
                {"starts_with": [{"var": "name"}, "rex"]},
            ]
        },
    ]
}
TEXTS = {
    "en": {
        "words": "Status is one of Won or (Owner equals me and Name starts with rex)",
        "status": "Status",
        "owner": "Owner",
        "name": "Name",
        "won": "Won",
        "me": "me",
        "in": "is one of",
        "starts_with": "starts with",
        "live": "is live",
    },
    "zh": {
        "words": "状态 是 赢单 之一 或（负责人 等于 我 且 姓名 以 rex 开头）",
        "status": "状态",
        "owner": "负责人",
        "name": "姓名",
        "won": "赢单",
        "me": "我",
        "in": "属于",
        "starts_with": "开头是",
        "live": "已上线",
    },
}


@pytest.fixture
def crm_server(platform: Platform, tmp_path: Path) -> Iterator[str]:
    """The crm app with leads of several owners, an administrator and ``nob`` (no role yet)."""
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    owners = {name: add_user(platform, name, PASSWORD).id for name in ("nob", "rex")}
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, write_app(tmp_path / "apps"), publish=True)
        records = platform.apps.records(conn, "crm")
        for name, owner, status in (
            ("rexnob", "nob", "new"),  # own, starts with rex: in
            ("zed", "nob", "new"),  # own, not rex: out
            ("rex1", "rex", "new"),  # rex but not own: out
            ("rex2", "rex", "won"),  # won: in
            ("pool", None, "new"),  # out
        ):
            actor = owners[owner] if owner else None
            body: dict[str, Any] = {"name": name, "status": status}
            if owner is None:
                body["owner_id"] = None
            records.create(conn, "lead", body, WriteContext(actor_id=actor))
    with serve(create_app(platform=platform)) as base:
        yield base


def rows_of(group: Locator) -> Locator:
    return group.locator(":scope > .group-children > li.condition-node")


def build_scope(designer: DesignerBrowser, texts: dict[str, str]) -> Locator:
    page = designer.page
    page.locator("tr[data-entity=lead] .grant-read").click()
    rules = page.locator(".entity-rules[data-entity=lead]")
    read = rules.locator(".scope-editor[data-scope=read]")
    read.locator(".add-condition").click()
    builder = read.locator(".condition-builder")
    root = builder.locator(".condition-group.is-root")
    root.locator(":scope > .group-head .group-op label").nth(1).click()  # any of
    # 1. Status is one of Won
    root.locator(":scope > .group-head .add-rule").click()
    first = rows_of(root).nth(0)
    pick_field(page, first, "status")
    pick(page, first.locator(".operator-picker"), texts["in"])
    pick(page, first.locator(".value-choices"), texts["won"])
    page.keyboard.press("Escape")
    # 2. a nested group: Owner equals me
    root.locator(":scope > .group-head .add-group").click()
    inner = rows_of(root).nth(1).locator(".condition-group")
    owner_row = rows_of(inner).nth(0)
    pick_field(page, owner_row, "owner_id")
    pick(page, owner_row.locator(".value-user"), texts["me"])
    # 3. Name starts with rex, added at the root, then DRAGGED into the nested group
    root.locator(":scope > .group-head .add-rule").click()
    third = rows_of(root).nth(2)
    pick_field(page, third, "name")
    pick(page, third.locator(".operator-picker"), texts["starts_with"])
    third.locator(".value-text input").fill("rex")
    expect(rows_of(root)).to_have_count(3)
    designer.drag(third.locator(".drag-handle"), owner_row)
    expect(rows_of(root)).to_have_count(2)
    expect(rows_of(inner)).to_have_count(2)
    return builder


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_custom_scope_built_and_dragged_in_the_editor_decides_what_a_holder_sees(
    crm_server: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    with open_browser(crm_server, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/crm/roles/scoped", lang)
        builder = build_scope(designer, texts)
        expect(builder.locator(".words-text")).to_have_text(texts["words"])
        assert (
            page.evaluate(
                "() => JSON.parse(document.querySelector('.condition-builder').dataset.json)"
            )
            == EXPECTED
        )
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])

        with platform.engine.connect() as conn:
            body = store.get(conn, "crm", "role", "scoped").body
        assert body["entities"]["lead"] == {"actions": ["read"], "scope": {"condition": EXPECTED}}

        # Reopened, the editor reads the published condition back into the same rows.
        page = designer.open("/design/apps/crm/roles/scoped", lang)
        page.locator("tr[data-entity=lead] .edit-rules").click()
        builder = page.locator(".scope-editor[data-scope=read] .condition-builder")
        root = builder.locator(".condition-group.is-root")
        expect(root).to_have_attribute("data-op", "or")
        expect(rows_of(root)).to_have_count(2)
        inner = rows_of(root).nth(1).locator(".condition-group")
        expect(inner).to_have_attribute("data-op", "and")
        expect(rows_of(inner)).to_have_count(2)
        expect(builder.locator(".raw-condition")).to_have_count(0)
        expect(builder.locator(".words-text")).to_have_text(texts["words"])
        assert (
            page.evaluate(
                "() => JSON.parse(document.querySelector('.condition-builder').dataset.json)"
            )
            == EXPECTED
        )

    with begin_write(platform.engine) as conn:
        holder = store_user_id(conn, "nob")
        assign_role(conn, "crm", platform.apps.roles(conn, "crm"), "scoped", user_id=holder)
    with open_browser(crm_server, "nob", PASSWORD) as holder_browser:
        page = holder_browser.page
        page.goto(f"{crm_server}/apps/crm/lead?sort=name&lang={lang}")
        expect(page.locator("#records")).to_be_visible()
        names = page.locator("#records tbody tr td").all_inner_texts()
        shown = sorted({n.strip() for n in names} & {"rexnob", "zed", "rex1", "rex2", "pool"})
        assert shown == ["rex2", "rexnob"]


def store_user_id(conn: sa.Connection, username: str) -> int:
    return int(conn.scalar(sa.select(User.id).where(User.username == username)))


def test_a_condition_the_builder_cannot_show_stays_raw_and_its_errors_are_pinned(
    crm_server: str, platform: Platform
) -> None:
    """A draft saved through the API names a field that does not exist: the editor shows that
    condition as raw JSON (kept as it is), the engine's problem under it while editing, and
    publishing is refused with the same problem pinned there and listed above the form."""
    bad = {"==": [{"var": "stauts"}, "won"]}
    role = {
        "kind": "role",
        "name": "typo",
        "label": {"en": "Typo"},
        "entities": {"lead": {"actions": ["read"], "scope": {"condition": bad}}},
    }
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "crm", "role", "typo", role)
    problem = "there is no field stauts; did you mean status?"
    with open_browser(crm_server, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/crm/roles/typo", "en")
        builder = page.locator(".scope-editor[data-scope=read] .condition-builder")
        raw = builder.locator("li.condition-node[data-kind=raw]")
        expect(raw).to_have_count(1)
        expect(raw.locator("textarea")).to_have_value(json.dumps(bad, indent=2))
        expect(raw.locator(".node-problem")).to_have_text([problem])
        designer.problems.clear()
        page.click("#publish")
        expect(page.locator(".error-summary")).to_contain_text(problem)
        expect(page.locator(".error-summary code")).to_have_text(
            ["/entities/lead/scope/condition/==/0"]
        )
        expect(raw.locator(".node-problem")).to_have_text([problem])
        # the refused publish is the one expected HTTP error of this test
        assert [p for p in designer.problems if "422" not in p] == []
        designer.problems.clear()
    with platform.engine.connect() as conn:
        kept = store.get(conn, "crm", "role", "typo")
    assert (kept.status, kept.body["entities"]["lead"]["scope"]) == ("draft", {"condition": bad})
