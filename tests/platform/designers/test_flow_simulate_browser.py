"""Simulation in the flow designer, in Chromium, in English and in Chinese: the marketing
contract approval (read-only in the tree: it has a countersign join after a condition) opened,
the simulation panel opened and REALLY widened by dragging its divider, a ¥300,000 contract
picked: the director and finance 会签 path is highlighted in order, the general manager's
dimmed, the steps listed in words with the sales manager's name; then finance rejects: the
path ends at "rejected"; then a sample amount of 800: the manager only. Nothing is written.
And a flow the tree draws: its cards numbered, a branch REALLY dragged before simulating
again (the unsaved draft is what runs), a refused simulation pinned on the branch. No CSP
violation, console or HTTP error on the way."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import Locator, Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import RoleAssignment
from jimu.platform.process.instances import INSTANCES, TASKS
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
ON = re.compile(r"\bsimulated\b")
OFF = re.compile(r"\bdimmed\b")
APPROVED = {"==": [{"var": "outcome"}, "approve"]}
APP = "marketing"
TEXTS = {
    "en": {
        "reject": "Reject",
        "manager_task": "Approval task at Sales manager for",
        "rejected": "Rejected after",
        "completed": "Completed in",
        "because": "because Contract total is at most 100,000",
        "approved_way": "Sales manager → Amount (Approve)",
    },
    "zh": {
        "reject": "驳回",
        "manager_task": "销售经理审批 生成审批任务，审批人：",
        "rejected": "被驳回",
        "completed": "已完成",
        "because": "因为 合同总额 小于等于 100,000",
        "approved_way": "销售经理审批 → 按金额（同意）",
    },
}


def contract(platform: Platform) -> int:
    """A contract of ¥300,000 (one line) and a sales manager."""
    manager = add_user(platform, "zhang", "pw-12345678").id
    with begin_write(platform.engine) as conn:
        conn.execute(
            sa.insert(RoleAssignment.__table__).values(
                app=APP, created_at=datetime.now(), user_id=manager, role="sales_manager"
            )
        )
        records = platform.apps.records(conn, APP)
        ctx = WriteContext(actor_id=None, source="system")
        account = records.create(conn, "account", {"name": "Acme", "region": "east"}, ctx)
        deal = records.create(conn, "contract", {"name": "Big deal", "account": account["id"]}, ctx)
        line = {"contract": deal["id"], "product": "marketing_cloud", "quantity": 1}
        records.create(conn, "contract_line", {**line, "unit_price": "300000.00"}, ctx)
    return int(deal["id"])


def tiered(platform: Platform) -> None:
    """A draft flow the tree draws: a condition branch "above 100" → the team lead, "above
    1000" → the director, otherwise straight on (the first branch that holds wins)."""
    lead = {"id": "approve_1", "type": "approval", "label": {"en": "Team lead", "zh": "组长"}}
    boss = {"id": "approve_2", "type": "approval", "label": {"en": "Director", "zh": "总监"}}
    nodes = [
        {"id": "start", "type": "start", "on": "manual"},
        {"id": "branch_1", "type": "exclusive"},
        {**lead, "assignees": [{"kind": "initiator"}]},
        {**boss, "assignees": [{"kind": "initiator"}]},
        {"id": "end", "type": "end"},
        {"id": "rejected", "type": "end", "result": "reject"},
    ]
    edges = [
        {"from": "start", "to": "branch_1"},
        {"from": "branch_1", "to": "approve_1", "condition": above(100)},
        {"from": "approve_1", "to": "rejected", "default": True},
        {"from": "branch_1", "to": "approve_2", "condition": above(1000)},
        {"from": "approve_2", "to": "rejected", "default": True},
        {"from": "branch_1", "to": "end", "default": True},
        {"from": "approve_1", "to": "end", "condition": APPROVED},
        {"from": "approve_2", "to": "end", "condition": APPROVED},
    ]
    doc = {"kind": "flow", "name": "tiered", "entity": "contract", "label": {"en": "Tiered"},
           "nodes": nodes, "edges": edges}  # fmt: skip
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, APP, "flow", "tiered", doc)


def above(amount: int) -> dict[str, Any]:
    return {">": [{"var": "record.total_amount"}, amount]}


def node(page: Page, node_id: str) -> Locator:
    """A card of the free canvas (the contract flow's shape is beyond the tree)."""
    return page.locator(f".flow-free-card[data-node='{node_id}']")


def pick_record(page: Page, select: Locator, record_id: int, title: str) -> None:
    """Pick a record in the remote select. Its search answers after the list opens and may
    replace the option under the pointer as it is clicked: pick again until it shows."""
    for _ in range(3):
        option = open_options(page, select).and_(page.locator(f"[data-record='{record_id}']"))
        option.first.click()
        try:
            expect(select).to_contain_text(title, timeout=3000)
            return
        except AssertionError:
            continue
    expect(select).to_contain_text(title)


def drag_divider(page: Page, panel: Locator, by: float) -> None:
    """A real drag of the panel's divider ``by`` pixels to the left (mouse down, moves, up)."""
    box = panel.locator(".simulate-divider").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - by / 2, y, steps=6)
    page.mouse.move(x - by, y, steps=6)
    page.mouse.up()


def test_simulate_the_contract_approval(platform: Platform, live: str) -> None:
    deal = contract(platform)
    with platform.engine.connect() as conn:
        before = [conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                  for t in (INSTANCES, TASKS)]  # fmt: skip
    for lang in ("en", "zh"):
        _simulate(live, lang, deal)
    with platform.engine.connect() as conn:
        after = [conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                 for t in (INSTANCES, TASKS)]  # fmt: skip
    assert after == before


def _simulate(live: str, lang: str, deal: int) -> None:
    texts = TEXTS[lang]
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open(f"/design/apps/{APP}/flows/contract_approval", lang)
        expect(page.locator(".flow-designer[data-mode='canvas']")).to_be_visible()
        page.locator("#simulate").click()
        panel = page.get_by_test_id("simulate-panel")
        expect(panel).to_be_visible()
        # Widen the panel by dragging its divider: the steps read better wide.
        width = panel.bounding_box()["width"]  # type: ignore[index]
        drag_divider(page, panel, 160)
        expect(panel.locator(".simulate-divider")).to_have_attribute(
            "aria-valuenow", str(round(width + 160))
        )
        assert panel.bounding_box()["width"] > width + 150  # type: ignore[index]
        # The ¥300,000 contract: manager, then director and finance together.
        select = panel.locator(".el-select:has(#simulate-record)")
        pick_record(page, select, deal, "Big deal")
        page.locator("#simulate-run").click()
        result = page.get_by_test_id("simulate-result")
        expect(result).to_have_attribute("data-status", "completed")
        for order, node_id in enumerate(
            ["start", "submit", "manager", "by_amount", "countersign", "director", "finance"], 1
        ):
            expect(node(page, node_id)).to_have_attribute("data-order", str(order))
        expect(node(page, "director")).to_have_class(ON)
        expect(node(page, "general_manager")).to_have_class(OFF)
        expect(node(page, "rejected")).to_have_class(OFF)
        manager = result.locator(".simulate-task[data-node='manager']")
        expect(manager).to_contain_text(texts["manager_task"])
        expect(manager).to_contain_text("zhang")
        expect(result.locator(".simulate-status")).to_contain_text(texts["completed"])
        expect(result.locator(".simulate-choice").first).to_contain_text(texts["approved_way"])
        # Finance rejects: the other path.
        decision = panel.locator("[data-decision='finance'] .el-select")
        open_options(page, decision).and_(page.locator("[data-outcome='reject']")).first.click()
        expect(decision).to_contain_text(texts["reject"])
        page.locator("#simulate-run").click()
        expect(result).to_have_attribute("data-status", "rejected")
        expect(node(page, "rejected")).to_have_class(ON)
        expect(node(page, "approved")).to_have_class(OFF)
        expect(node(page, "tell_finance")).to_have_class(OFF)
        expect(result.locator(".simulate-status")).to_contain_text(texts["rejected"])
        # A sample amount of 800 over the record's: the manager only, and why.
        panel.locator("[data-field='total_amount'] input").fill("800")
        page.locator("#simulate-run").click()
        expect(result).to_have_attribute("data-status", "completed")
        expect(node(page, "countersign")).to_have_class(OFF)
        expect(node(page, "tell_finance")).to_have_attribute("data-order", "5")
        expect(result.locator(".simulate-choice").filter(has_text=texts["because"])).to_have_count(
            1
        )
        # Closing the panel clears the highlight.
        page.locator("#simulate-close").click()
        expect(page.locator(".flow-free-card.simulated, .flow-free-card.dimmed")).to_have_count(0)


def test_simulate_the_tree_as_drawn_after_a_branch_is_dragged(
    platform: Platform, live: str
) -> None:
    """A tree flow, unsaved edits included: ¥5,000 takes the first branch that holds ("above
    100": the team lead); the "above 1000" branch REALLY dragged to the front, the same amount
    goes to the director. A branch without a condition: the simulation is refused and the
    problem pinned on that branch."""
    tiered(platform)
    for lang in ("en", "zh"):
        with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
            page = designer.open(f"/design/apps/{APP}/flows/tiered", lang)
            expect(page.locator(".flow-card[data-node='approve_1']")).to_be_visible()
            page.locator("#simulate").click()
            panel = page.get_by_test_id("simulate-panel")
            panel.locator("[data-field='total_amount'] input").fill("5000")
            page.locator("#simulate-run").click()
            result = page.get_by_test_id("simulate-result")
            expect(result).to_have_attribute("data-status", "completed")
            lead = page.locator(".flow-card[data-node='approve_1']")
            boss = page.locator(".flow-card[data-node='approve_2']")
            expect(lead).to_have_class(ON)
            expect(lead).to_have_attribute("data-order", "3")
            expect(boss).to_have_class(OFF)
            expect(page.locator(".flow-gateway-head.simulated")).to_have_attribute(
                "data-order", "2"
            )
            expect(page.locator(".flow-start")).to_have_attribute("data-order", "1")
            # Drag "above 1000" in front of "above 100": the draft on screen is simulated.
            gateway = page.locator(".flow-gateway").first
            movable = gateway.locator(".flow-branch-row > .flow-branch")
            designer.drag(
                movable.nth(1).locator(".branch-handle"),
                movable.nth(0).locator(".flow-branch-head"),
            )
            expect(movable.nth(0).locator(".flow-card[data-node='approve_2']")).to_have_count(1)
            page.locator("#simulate-run").click()
            expect(boss).to_have_class(ON)
            expect(lead).to_have_class(OFF)
            expect(result.locator(".simulate-task[data-node='approve_2']")).to_have_count(1)
            # A third branch has no condition: refused, pinned on it.
            designer.expect_failure(422, f"/api/apps/{APP}/flows/tiered/simulate")
            gateway.locator(".flow-add-branch").click()
            page.locator("#simulate-run").click()
            expect(panel.locator(".pinned-error[role='alert']")).to_be_visible()
            expect(movable.nth(2).locator(".pinned.has-error .pinned-error")).to_have_count(1)
            expect(result).to_have_count(0)
            expect(page.locator(".flow-card.simulated")).to_have_count(0)
