"""The flow designer in Chromium, in English and in Chinese: the deal approval drawn as a tree
— start → a condition branch on the amount (> 100000, else "otherwise") → in the first branch
an approver node with two approvers as 会签, in the other one approver → a CC node → end —;
a third branch added and REALLY dragged to the front, the publish refused with the error
pinned on that branch (it has no condition), the branch deleted, undo/redo, the publish; then
the published document (nodes, edges, conditions, multi) and an instance started through the
API that follows the amount branch (one task per 会签 approver). No CSP violation, console or
HTTP error on the way."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import Locator, Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
APP = "marketing"
BIG = {">": [{"var": "record.amount"}, 100000]}
APPROVED = {"==": [{"var": "outcome"}, "approve"]}
TEXTS = {
    "en": {
        "entity": "Opportunity",
        "user": "User",
        "initiator": "Initiator",
        "field": "User field of the record",
        "published": "is live",
    },
    "zh": {
        "entity": "商机",
        "user": "指定成员",
        "initiator": "发起人",
        "field": "记录中的成员字段",
        "published": "已上线",
    },
}


def pick(page: Page, select: Locator, option: str) -> None:
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    open_options(page, select).filter(has_text=exact).first.click()


def add_node(page: Page, run: Locator, at: int, kind: str) -> None:
    """Click the ``at``-th "+" of a run of the tree and choose ``kind``."""
    run.locator(":scope > .flow-add > .flow-add-button").nth(at).click()
    page.locator(f'.flow-add-menu .flow-add-kind[data-kind="{kind}"]').click()


def add_person(page: Page, panel: Locator, kind_label: str, person: str | None) -> None:
    panel.locator(".add-assignee").click()
    row = panel.locator(".assignee-row").last
    pick(page, row.locator(".assignee-kind"), kind_label)
    if person is not None:
        pick(page, row.locator(".assignee-user"), person)


def document(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        page.locator(".flow-designer").get_attribute("data-json") or "{}"
    )
    return found


def draw(page: Page, texts: dict[str, str], people: dict[str, str]) -> None:
    """Draw the flow; ``people`` names the usernames of wang, li and zhao."""
    page.locator("#flow-label-en").fill("Deal approval")
    page.locator("#flow-label-zh").fill("商机审批")
    pick(page, page.locator("#flow-entity"), texts["entity"])
    main = page.locator(".flow-column > .flow-run")
    add_node(page, main, 0, "exclusive")
    gateway = page.locator(".flow-gateway").first
    branches = gateway.locator(".flow-branch")
    # The first branch's condition: amount > 100000, with the shared condition builder.
    branches.nth(0).locator(".flow-branch-open").click()
    panel = page.get_by_test_id("node-panel")
    panel.locator(".node-label-en").fill("Large")
    panel.locator(".node-label-zh").fill("大额")
    root = panel.locator(".condition-group.is-root")
    root.locator(":scope > .group-head .add-rule").click()
    row = root.locator(":scope > .group-children > li.condition-node").last
    open_options(page, row.locator(".field-picker")).and_(
        page.locator('[data-field="amount"]')
    ).first.click()
    open_options(page, row.locator(".operator-picker")).and_(
        page.locator('[data-operator="gt"]')
    ).first.click()
    row.locator(".value-number input").fill("100000")
    row.locator(".value-number input").press("Tab")
    expect(gateway.locator(".flow-branch").nth(0).locator(".flow-card-body")).to_contain_text(
        "100000"
    )
    # 会签 of two approvers in the large branch.
    add_node(page, branches.nth(0).locator(":scope > .flow-run"), 0, "approval")
    add_person(page, panel, texts["user"], people["wang"])
    add_person(page, panel, texts["user"], people["li"])
    panel.locator('.sign-mode [data-mode="all"]').click()
    # One approver otherwise.
    add_node(page, branches.nth(1).locator(":scope > .flow-run"), 0, "approval")
    add_person(page, panel, texts["user"], people["zhao"])
    # A CC node after the branches merge: to the initiator.
    add_node(page, main, 1, "cc")
    panel.locator(".add-assignee").click()
    pick(page, panel.locator(".assignee-row").last.locator(".assignee-kind"), texts["initiator"])
    expect(page.locator(".flow-card[data-type='cc'] .flow-card-body")).to_have_text(
        texts["initiator"]
    )


def test_draw_publish_and_run_the_deal_approval(platform: Platform, live: str) -> None:
    for lang in ("en", "zh"):
        _draw_publish_and_run(platform, live, lang)


def _draw_publish_and_run(platform: Platform, live: str, lang: str) -> None:
    texts = TEXTS[lang]
    flow = f"deal_approval_{lang}"
    people = {
        name: add_user(platform, f"{name}_{lang}", "pw-12345678").id
        for name in ("wang", "li", "zhao")
    }
    usernames = {name: f"{name}_{lang}" for name in people}
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open(f"/design/apps/{APP}/flows", lang)
        page.locator("#new-flow-name").fill(flow)
        page.locator("#new-flow").click()
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        expect(page.locator(".flow-card[data-type='end']")).to_have_count(1)
        draw(page, texts, usernames)

        expect(page.locator("html[data-unsaved='true']")).to_have_count(1)
        # A CC recipient "user field" with no field chosen: an error on the CC node's card.
        panel = page.get_by_test_id("node-panel")
        page.locator(".flow-card[data-type='cc'] .flow-card-open").click()
        panel.locator(".add-assignee").click()
        pick(page, panel.locator(".assignee-row").last.locator(".assignee-kind"), texts["field"])
        # A third branch, dragged by its handle to the front: it has no condition yet, so the
        # publish is refused and the error is pinned on that branch.
        gateway = page.locator(".flow-gateway").first
        gateway.locator(".flow-add-branch").click()
        movable = gateway.locator(".flow-branch-row > .flow-branch")
        expect(movable).to_have_count(2)
        designer.drag(
            movable.nth(1).locator(".branch-handle"), movable.nth(0).locator(".flow-branch-head")
        )
        expect(movable.nth(1).locator(".flow-card[data-type='approval']")).to_have_count(1)
        edges = document(page)["edges"]
        assert edges[1]["from"] == "branch_1" and "condition" not in edges[1]
        designer.expect_failure(422, f"/api/apps/{APP}/publish")
        page.locator("#publish").click()
        expect(movable.nth(0).locator(".pinned.has-error .pinned-error")).to_have_count(1)
        cc_card = page.locator(".pinned:has(> .flow-card[data-type='cc'])")
        expect(cc_card.locator(":scope > .pinned-error")).to_contain_text("field")
        page.locator(".flow-card[data-type='cc'] .flow-card-open").click()
        panel.locator(".remove-assignee").last.click()
        expect(panel.locator(".assignee-row")).to_have_count(1)
        # Delete it; undo brings it back, redo deletes it again.
        movable.nth(0).locator(".branch-remove").click()
        expect(movable).to_have_count(1)
        page.locator("#undo").click()
        expect(movable).to_have_count(2)
        page.locator("#redo").click()
        expect(movable).to_have_count(1)
        page.locator("#publish").click()
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["published"])
        expect(page.locator("html[data-unsaved='false']")).to_have_count(1)

        with platform.engine.connect() as conn:
            live_doc = store.published(conn, APP, "flow", flow)
        assert live_doc is not None
        body = live_doc.body
        assert body["entity"] == "opportunity"
        assert [(n["id"], n["type"]) for n in body["nodes"]] == [
            ("start", "start"),
            ("branch_1", "exclusive"),
            ("approve_1", "approval"),
            ("approve_2", "approval"),
            ("cc_1", "cc"),
            ("end", "end"),
            ("rejected", "end"),
        ]
        board = body["nodes"][2]
        assert board["assignees"] == [
            {"kind": "user", "id": people["wang"]},
            {"kind": "user", "id": people["li"]},
        ]
        assert board["multi"] == {
            "mode": "parallel",
            "count": 2,
            "per_assignee": True,
            "complete_when": {">": [{"var": "outcomes.reject"}, 0]},
        }
        assert body["nodes"][3]["assignees"] == [{"kind": "user", "id": people["zhao"]}]
        assert "multi" not in body["nodes"][3]
        assert body["nodes"][4]["recipients"] == [{"kind": "initiator"}]
        assert body["edges"] == [
            {"from": "start", "to": "branch_1"},
            {
                "from": "branch_1",
                "to": "approve_1",
                "condition": BIG,
                "label": {"en": "Large", "zh": "大额"},
            },
            {"from": "approve_1", "to": "rejected", "default": True},
            {"from": "branch_1", "to": "approve_2", "default": True},
            {"from": "approve_2", "to": "rejected", "default": True},
            {"from": "approve_1", "to": "cc_1", "condition": APPROVED},
            {"from": "approve_2", "to": "cc_1", "condition": APPROVED},
            {"from": "cc_1", "to": "end"},
        ]

        # An instance started through the API follows the amount.
        big, small = _opportunities(platform, lang)
        csrf = page.evaluate(
            "JSON.parse(document.getElementById('designer-boot').textContent).csrf_token"
        )
        url = f"{live}/api/apps/{APP}/processes/{flow}/instances"
        started = {}
        for name, record in (("big", big), ("small", small)):
            answer = page.request.post(
                url, data={"record_id": record}, headers={"X-CSRF-Token": csrf, "Origin": live}
            )
            assert answer.status == 201, answer.text()
            started[name] = answer.json()
        assert started["big"]["trace"] == ["start", "branch_1", "approve_1"]
        assert sorted(t["users"][0] for t in started["big"]["tasks"]) == sorted(
            [people["wang"], people["li"]]
        )
        assert [t["users"] for t in started["big"]["tasks"]] in (
            [[people["wang"]], [people["li"]]],
            [[people["li"]], [people["wang"]]],
        )
        assert started["small"]["trace"] == ["start", "branch_1", "approve_2"]
        assert [t["users"] for t in started["small"]["tasks"]] == [[people["zhao"]]]

        # Opened again, the published flow reads back into the same tree.
        page = designer.open(f"/design/apps/{APP}/flows/{flow}", lang)
        expect(page.locator(".flow-card[data-type='approval']")).to_have_count(2)
        assert document(page)["edges"] == body["edges"]


def _opportunities(platform: Platform, lang: str) -> tuple[int, int]:
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, APP)
    ctx = WriteContext(1, "api")
    with begin_write(platform.engine) as conn:
        account = records.create(conn, "account", {"name": f"Acme {lang}", "region": "east"}, ctx)
        ids = [
            records.create(
                conn,
                "opportunity",
                {
                    "name": f"Deal {n}",
                    "account": account["id"],
                    "stage": "prospecting",
                    "amount": n,
                },
                ctx,
            )["id"]
            for n in (250000, 5000)
        ]
    return ids[0], ids[1]
