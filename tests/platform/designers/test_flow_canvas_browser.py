"""The flow designer's free canvas in Chromium, in English and in Chinese: the marketing app's
service ticket flow (services the tree has no card for) opens in the canvas, a card REALLY
dragged keeps its new place in the document's `layout`, a timer added from the palette is
REALLY connected by a drag from its handle to the end, the publish is refused with the error
pinned on the timer's card (nothing leads to it), the end's old connection is deleted and the
survey connected to the timer with the "connect to…" select, and the flow publishes; the
published document (through the API) has the timer, the new edges and the layout. A tree flow
switches to the canvas and back; a flow with a cycle cannot go back to the tree, and says why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
APP = "marketing"
TICKET = Path(__file__).parents[3] / "examples" / "marketing" / "flows" / "service_ticket.json"
TEXTS = {
    "en": {"published": "is live", "reason": "timers, services", "cycle": "loops back"},
    "zh": {"published": "已上线", "reason": "定时", "cycle": "含有回路"},
}


def document(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        page.locator(".flow-designer").get_attribute("data-json") or "{}"
    )
    return found


def card(page: Page, node: str) -> Locator:
    return page.locator(f'.vue-flow__node[data-id="{node}"]')


def show_canvas(page: Page) -> None:
    """Scroll the page so that the whole canvas is in the window (the mouse needs it there)."""
    page.locator(".flow-free-pane").evaluate(
        "e => e.scrollIntoView({block: 'end', behavior: 'instant'})"
    )


def mouse_drag(page: Page, source: Locator, dx: float, dy: float) -> None:
    show_canvas(page)
    box = source.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=6)
    page.mouse.move(x + dx, y + dy, steps=6)
    page.mouse.up()


def handle_drag(page: Page, source: Locator, target: Locator) -> None:
    show_canvas(page)
    start, end = source.bounding_box(), target.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    x, y = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(x, y - 4, steps=12)
    page.wait_for_timeout(100)
    page.mouse.move(x, y, steps=2)
    page.wait_for_timeout(100)
    page.mouse.up()


def test_edit_the_service_ticket_in_the_free_canvas(platform: Platform, live: str) -> None:
    for lang in ("en", "zh"):
        _edit_in_canvas(platform, live, lang)


def _edit_in_canvas(platform: Platform, live: str, lang: str) -> None:
    texts = TEXTS[lang]
    flow = f"ticket_canvas_{lang}"
    body = {**json.loads(TICKET.read_text(encoding="utf-8")), "name": flow}
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, APP, "flow", flow, body)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open(f"/design/apps/{APP}/flows/{flow}", lang)
        expect(page.get_by_test_id("free-canvas")).to_be_visible()
        expect(page.get_by_test_id("tree-refusal")).to_contain_text(texts["reason"])
        expect(page.locator(".vue-flow__node")).to_have_count(len(body["nodes"]))
        expect(card(page, "survey").locator('[data-node="survey"]')).to_be_visible()
        assert "layout" not in document(page)

        # A real drag of the survey card: its new place is in the document.
        survey = card(page, "survey")
        before = survey.bounding_box()
        assert before is not None
        mouse_drag(page, survey.locator(".flow-card-title"), 260, 0)
        expect(page.locator("html[data-unsaved='true']")).to_have_count(1)
        layout = document(page)["layout"]
        assert set(layout) == {n["id"] for n in body["nodes"]}
        after = survey.bounding_box()
        assert after is not None and after["x"] > before["x"] + 150
        # The zoom may not be 1: compare with where the done card stays.
        assert layout["survey"]["x"] > layout["done"]["x"] + 100

        # A timer from the palette (below the selected survey), connected by a real drag from
        # its lower handle onto the end's upper handle.
        survey.locator(".flow-card-open").click()
        page.locator('.flow-palette-kind[data-kind="timer"]').click()
        timer = card(page, "timer_1")
        expect(timer).to_be_visible()
        panel = page.get_by_test_id("canvas-panel")
        expect(panel).to_have_attribute("data-selected", "timer_1")
        panel.locator(".timer-amount input").fill("2")
        panel.locator(".timer-amount input").press("Tab")
        handle_drag(
            page, timer.locator(".flow-handle-out"), card(page, "done").locator(".flow-handle-in")
        )
        edges = document(page)["edges"]
        assert edges[-1] == {"from": "timer_1", "to": "done"}

        # Nothing leads to the timer: the publish is refused, the error pinned on its card.
        designer.expect_failure(422, f"/api/apps/{APP}/publish")
        page.locator("#publish").click()
        expect(timer.locator(".pinned.has-error .pinned-error")).to_have_count(1)
        expect(card(page, "survey").locator(".pinned-error")).to_have_count(0)

        # survey → done goes; survey → timer comes, with the "connect to…" select.
        old = next(i for i, e in enumerate(edges) if e["from"] == "survey" and e["to"] == "done")
        page.locator(f'.flow-way-open[data-edge="{old}"]').click()
        panel.locator(".delete-edge").click()
        card(page, "survey").locator(".flow-card-open").click()
        expect(panel).to_have_attribute("data-selected", "survey")
        open_options(page, panel.locator(".connect-target")).filter(has_text="(timer_1)").click()
        panel.locator(".connect-now").click()
        page.locator("#publish").click()
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["published"])
        expect(page.locator("html[data-unsaved='false']")).to_have_count(1)
        expect(timer.locator(".pinned-error")).to_have_count(0)

        answer = page.request.get(f"{live}/api/apps/{APP}/documents/flow/{flow}")
        assert answer.status == 200, answer.text()
        found = answer.json()
        designer.assert_clean()

    assert found["status"] == "published"
    saved = found["body"]
    assert {"id": "timer_1", "type": "timer", "delay": {"amount": 2, "unit": "days"}} in saved[
        "nodes"
    ]
    pairs = [(e["from"], e["to"]) for e in saved["edges"]]
    assert ("survey", "timer_1") in pairs and ("timer_1", "done") in pairs
    assert ("survey", "done") not in pairs
    assert set(saved["layout"]) == {n["id"] for n in saved["nodes"]}
    assert saved["layout"]["survey"]["x"] > saved["layout"]["done"]["x"] + 100


REWORK = {
    "kind": "flow",
    "name": "rework",
    "entity": "opportunity",
    "nodes": [
        {"id": "s", "type": "start", "on": "manual"},
        {"id": "fix", "type": "fill"},
        {"id": "x", "type": "exclusive"},
        {"id": "e", "type": "end"},
    ],
    "edges": [
        {"from": "s", "to": "fix"},
        {"from": "fix", "to": "x"},
        {"from": "x", "to": "fix", "condition": {"<": [{"var": "record.amount"}, 10]}},
        {"from": "x", "to": "e", "default": True},
    ],
}


def test_tree_and_canvas_switch(platform: Platform, live: str) -> None:
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, APP, "flow", "rework", REWORK)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        for lang, words in (("en", TEXTS["en"]["cycle"]), ("zh", TEXTS["zh"]["cycle"])):
            # A cycle: the canvas, and the tree says why it cannot draw it.
            page = designer.open(f"/design/apps/{APP}/flows/rework", lang)
            expect(page.get_by_test_id("tree-refusal")).to_contain_text(words)
            expect(page.locator(".vue-flow__node")).to_have_count(4)
            page.locator("#show-tree").click()
            expect(page.locator(".flow-designer[data-mode='canvas']")).to_have_count(1)
            # Deleting the edge back (button, not a drag) lets the tree draw it.
            page.locator('.flow-way-open[data-edge="2"]').click()
            page.get_by_test_id("canvas-panel").locator(".delete-edge").click()
            page.locator("#show-tree").click()
            expect(page.locator(".flow-designer[data-mode='tree']")).to_have_count(1)
            expect(page.locator(".flow-card[data-type='fill']")).to_have_count(1)
            # And a tree flow goes to the canvas, the same document.
            tree_doc = document(page)
            page.locator("#show-canvas").click()
            expect(page.locator(".vue-flow__node")).to_have_count(4)
            canvas_doc = document(page)
            assert canvas_doc["nodes"] == tree_doc["nodes"]
            assert canvas_doc["edges"] == tree_doc["edges"]
        designer.assert_clean()
