"""A flow started on a schedule, set in the flow designer's start panel in Chromium, in English
and in Chinese: "on a schedule" shows the cron input with the next three times in the app's time
zone (the rule designer's cron editor), a bad line shows which field is wrong and publishing it
is refused with the problem pinned at the cron; a good one publishes with the start node's
``cron``."""

from __future__ import annotations

import re

import pytest
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
APP = "marketing"
TEXTS = {
    "en": {"entity": "Opportunity", "schedule": "On a schedule, for each matching record",
           "published": "is live"},
    "zh": {"entity": "商机", "schedule": "按计划，对每条符合条件的记录", "published": "已上线"},
}  # fmt: skip


def pick(page: Page, select: Locator, option: str) -> None:
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    open_options(page, select).filter(has_text=exact).first.click()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_scheduled_start_is_set_previewed_and_published(
    platform: Platform, live: str, lang: str
) -> None:
    texts = TEXTS[lang]
    flow = f"weekly_{lang}"
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open(f"/design/apps/{APP}/flows", lang)
        page.locator("#new-flow-name").fill(flow)
        page.locator("#new-flow").click()
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        page.locator("#flow-label-en").fill("Weekly review")
        page.locator("#flow-label-zh").fill("每周复核")
        pick(page, page.locator("#flow-entity"), texts["entity"])
        page.locator('[data-node="start"]').click()
        panel = page.get_by_test_id("node-panel")
        start_on = panel.locator(".el-select").filter(has=page.locator("#start-on"))
        pick(page, start_on, texts["schedule"])
        cron = panel.locator(".start-cron .cron-text input")
        cron.fill("0 9 * * 1")
        expect(panel.locator(".cron-preview .cron-time")).to_have_count(3)
        expect(panel.locator(".cron-preview .cron-time").first).to_contain_text("09:00")
        expect(panel.locator(".start-filter")).to_have_count(1)

        designer.expect_failure(422, f"/api/apps/{APP}/processes/cron-preview")
        cron.fill("61 9 * * 1")
        expect(panel.locator(".cron-problem")).to_contain_text("minute")
        designer.expect_failure(422, f"/api/apps/{APP}/publish")
        page.locator("#publish").click()
        pinned = panel.locator(".pinned.has-error[data-pointer='/nodes/0/cron']")
        expect(pinned.locator("p.pinned-error")).to_contain_text("minute")

        cron.fill("30 8 * * 1-5")
        expect(panel.locator(".cron-preview .cron-time").first).to_contain_text("08:30")
        page.locator("#publish").click()
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["published"])
        with platform.engine.connect() as conn:
            published = store.published(conn, APP, "flow", flow)
        assert published is not None
        start = published.body["nodes"][0]
        assert (start["type"], start["on"], start["cron"]) == ("start", "schedule", "30 8 * * 1-5")
        assert "filter" not in start
