"""The record list of an entity with both a rule button and a public pool, in a real Chromium
(English and Chinese): one column of tick boxes serves both — two leads ticked, a rule button
pressed for them, then the same two ticked in the same column and returned to the pool."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from playwright.sync_api import Page, expect, sync_playwright
from pool_testing import APP, PASSWORD, create, get, label, publish, setup

from jimu.app import create_app
from jimu.platform.rules.worker import RuleWorker
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser

MARK_WORKING = {
    "kind": "rule",
    "name": "mark_working",
    "entity": "lead",
    "label": label("Mark as working", "标记为跟进中"),
    "trigger": {"on": "button", "where": "list", "label": label("Working", "跟进中")},
    "actions": [{"type": "set_fields", "values": {"status": "working"}}],
}
WORDS = {
    "en": {"select": "Select record #{id}", "return": "Return to pool", "reason": "No answer",
           "returned": "Returned 2 record(s) to the public pool."},
    "zh": {"select": "选择记录 #{id}", "return": "退回公海", "reason": "联系不上",
           "returned": "已将 2 条记录退回公海"},
}  # fmt: skip


def signed_in(base: str, username: str, lang: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto(f"{base}/login?lang={lang}")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            expect(page).not_to_have_url(f"{base}/login?lang={lang}")
            yield page
            assert errors == []
        finally:
            browser.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_selection_serves_the_rule_buttons_and_the_pool(platform: Platform, lang: str) -> None:
    users = setup(platform)
    publish(platform, [MARK_WORKING])
    ann = users["ann"].id
    leads = [create(platform, name=f"Lead {i}", status="new", owner_id=ann) for i in range(3)]
    chosen, other = leads[:2], leads[2]
    words = WORDS[lang]
    with serve(create_app(platform=platform)) as base:
        for page in signed_in(base, "mia", lang):
            page.goto(f"{base}/apps/{APP}/lead?lang={lang}")
            records = page.locator("#records")
            # One column of tick boxes, not one per feature.
            expect(records.locator("thead th.select")).to_have_count(1)
            expect(records.locator("tbody tr").first.locator("input[type=checkbox]")).to_have_count(
                1
            )
            for lead in chosen:
                page.get_by_label(words["select"].format(id=lead["id"])).check()
            page.locator("#rule-buttons").get_by_role(
                "button", name=label("Working", "跟进中")[lang]
            ).click()
            expect(page.locator(".notice")).to_be_visible()
            RuleWorker(platform).drain()
            assert [get(platform, lead["id"])["status"] for lead in leads] == [
                "working",
                "working",
                "new",
            ]
            # The same two, ticked in the same column, go back to the pool with a reason.
            for lead in chosen:
                page.get_by_label(words["select"].format(id=lead["id"])).check()
            page.locator("#pool-bulk select[name=reason]").select_option(label=words["reason"])
            page.locator("#pool-bulk").get_by_role("button", name=words["return"]).click()
            expect(page.locator("body")).to_contain_text(words["returned"])
    assert [get(platform, lead["id"])["owner_id"] for lead in chosen] == [None, None]
    assert get(platform, other["id"])["owner_id"] == ann
