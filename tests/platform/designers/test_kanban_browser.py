"""The kanban page in Chromium, in English and in Chinese: a card REALLY dragged to another
column changes the record through the normal write path (its history says so); a drop the
record refuses (Status is required: the "No value" column) goes back with the server's message
on the card. No CSP violation, console error or unexpected HTTP error on the way."""

from __future__ import annotations

from typing import Any

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
PIPELINE = {
    "kind": "view",
    "entity": "lead",
    "name": "pipeline",
    "type": "kanban",
    "label": {"en": "Pipeline", "zh": "线索看板"},
    "group_by": "status",
    "columns": [{"field": "company"}],
    "filter": {"in_list": [{"var": "status"}, ["new", "contacted"]]},
}
TEXTS = {"en": {"required": "required"}, "zh": {"required": "必填"}}


def publish_pipeline(platform: Platform) -> dict[str, int]:
    ids: dict[str, int] = {}
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "view", "lead.pipeline", PIPELINE)
        store.publish(conn, "marketing", "view")
        records = platform.apps.records(conn, "marketing")
        for name, status in (("Li", "new"), ("Wang", "new"), ("Zhao", "qualified")):
            body: dict[str, Any] = {"name": name, "status": status, "source": "wechat"}
            body["company"] = f"{name} Ltd"
            ids[name] = int(records.create(conn, "lead", body, WriteContext(actor_id=None))["id"])
    return ids


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dragging_a_card_updates_the_record_and_a_refused_drop_explains_itself(
    live: str, platform: Platform, lang: str
) -> None:
    ids = publish_pipeline(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as board:
        page = board.open("/apps/marketing/lead/kanban/pipeline", lang)
        new = page.locator(".kanban-column[data-value=new] .kanban-cards")
        contacted = page.locator(".kanban-column[data-value=contacted] .kanban-cards")
        empty = page.locator(".kanban-column[data-value=''] .kanban-cards")
        expect(new.locator(".kanban-card")).to_have_count(2)
        expect(page.locator(".kanban-card")).to_have_count(2)  # the filter holds
        li = page.locator(f".kanban-card[data-id='{ids['Li']}']")
        expect(li).to_contain_text("Li Ltd")

        board.drag(li, contacted)
        expect(contacted.locator(f".kanban-card[data-id='{ids['Li']}']")).to_have_count(1)
        expect(li.locator(".card-move")).to_have_value("contacted")  # saved
        with platform.engine.connect() as conn:
            records = platform.apps.records(conn, "marketing")
            saved = records.get(conn, "lead", ids["Li"])
            changes = records.history(conn, "lead", ids["Li"])
        assert saved["status"] == "contacted" and saved["version"] == 2
        assert any(c.get("field") == "status" for c in _flat(changes))

        # Status is required: the record refuses the empty column (moved with the card's
        # select, the keyboard equivalent of a drag), and the card goes back.
        board.expect_failure(422, f"/api/apps/marketing/entities/lead/records/{ids['Li']}")
        li.locator(".card-move").select_option("")
        error = contacted.locator(f".kanban-card[data-id='{ids['Li']}'] .card-error")
        expect(error).to_be_visible()
        expect(empty.locator(".kanban-card")).to_have_count(0)
        expect(li.locator(".card-move")).to_have_value("contacted")
        with platform.engine.connect() as conn:
            still = platform.apps.records(conn, "marketing").get(conn, "lead", ids["Li"])
        assert still["status"] == "contacted" and still["version"] == 2


def _flat(changes: Any) -> list[dict[str, Any]]:
    """History entries as a flat list of field changes, whatever their grouping."""
    flat: list[dict[str, Any]] = []
    for entry in changes:
        entry = dict(entry)
        flat.extend(dict(c) for c in entry.get("changes", []) or [])
        flat.append(entry)
    return flat
