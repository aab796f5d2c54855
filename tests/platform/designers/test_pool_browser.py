"""The public pool in Chromium, in English and in Chinese: a sales rep claims a lead from the
pool view and returns another from its record page with a reason (which the history shows);
an administrator edits the pool's settings in the entity designer and publishes them."""

from __future__ import annotations

from typing import Any

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import expect

from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
REP_PASSWORD = "rep password 123"
TEXTS = {
    "en": {
        "claimed": "Claimed 1 record(s): they are yours now.",
        "left": "You may claim 19 more today (of 20).",
        "returned": "Returned 1 record(s) to the public pool.",
        "reason": "Reason: Could not reach them",
        "in_pool": "In the public pool",
        "live": "is live",
    },
    "zh": {
        "claimed": "已领取 1 条记录，现在归你负责。",
        "left": "今天还可领取 19 条（每天 20 条）。",
        "returned": "已将 1 条记录退回公海。",
        "reason": "原因：联系不上",
        "in_pool": "在公海中",
        "live": "已上线",
    },
}


def lead(platform: Platform, name: str, owner: int | None) -> dict[str, Any]:
    values = {"name": name, "source": "website_form", "status": "new", "owner_id": owner}
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        return records.create(conn, "lead", values, WriteContext(None, "system"))


def rep(platform: Platform, username: str) -> int:
    user = add_user(platform, username, REP_PASSWORD)
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, "marketing")
        assign_role(conn, "marketing", roles, "sales_rep", user_id=user.id)
    return user.id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_rep_claims_from_the_pool_and_returns_from_the_record_page(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    rep_id = rep(platform, f"rep_{lang}")
    free = lead(platform, f"Pool lead {lang}", None)
    mine = lead(platform, f"My lead {lang}", rep_id)
    with open_browser(live, f"rep_{lang}", REP_PASSWORD) as browser:
        page = browser.page
        page.goto(f"{live}/apps/marketing/lead/pool?lang={lang}")
        row = page.locator(f"#pool-records tr[data-id='{free['id']}']")
        expect(row).to_contain_text(f"Pool lead {lang}")
        row.locator("[data-pool-claim]").click()
        expect(page.locator("body")).to_contain_text(texts["claimed"])
        expect(page.locator("#pool-limits")).to_contain_text(texts["left"])
        expect(page.locator(f"#pool-records tr[data-id='{free['id']}']")).to_have_count(0)

        page.goto(f"{live}/apps/marketing/lead/{mine['id']}")
        page.locator("#return-menu summary").click()
        page.select_option("#return-reason", "no_answer")
        page.fill("#return-note", "rang twice")
        page.locator("#return-menu button[type=submit]").click()
        expect(page.locator("body")).to_contain_text(texts["returned"])
        expect(page.locator("#in-pool")).to_have_text(texts["in_pool"])
        expect(page.locator("#history .owner-change").first).to_contain_text(texts["reason"])
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, "marketing")
        assert records.get(conn, "lead", free["id"])["owner_id"] == rep_id
        assert records.get(conn, "lead", mine["id"])["owner_id"] is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_entity_designer_edits_the_pool(live: str, lang: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/lead", lang)
        section = page.locator("#pool-settings")
        expect(section.locator("#pool-enabled")).to_be_checked()
        expect(section.locator(".pool-reason")).to_have_count(4)
        page.fill("#pool-claims-per-day", "5")
        page.locator("#pool-claims-per-day").dispatch_event("change")
        page.fill("#pool-max-held", "40")
        page.locator("#pool-max-held").dispatch_event("change")
        page.click("#pool-add-reason")
        reasons = section.locator(".pool-reason")
        expect(reasons).to_have_count(5)
        reasons.nth(4).locator(".reason-value").fill("moved_away")
        reasons.nth(4).locator(".reason-value").dispatch_event("change")
        reasons.nth(4).locator(".reason-en").fill("Moved away")
        reasons.nth(4).locator(".reason-en").dispatch_event("change")
        reasons.nth(4).locator(".reason-zh").fill("已搬走")
        reasons.nth(4).locator(".reason-zh").dispatch_event("change")
        page.uncheck("#pool-previous-owner")
        page.check("#pool-previous-owner")
        page.click("#publish")
        # The publish preview (nothing converts: no table change) is confirmed.
        expect(page.get_by_test_id("publish-preview")).to_be_visible()
        page.click("#preview-publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(TEXTS[lang]["live"])
        saved = page.request.get(f"{live}/api/apps/marketing/documents/entity/lead").json()
        pool = saved["body"]["pool"]
        assert pool["limits"] == {"claims_per_day": 5, "max_held": 40}
        assert pool["returns"]["reasons"][4] == {
            "value": "moved_away", "label": {"en": "Moved away", "zh": "已搬走"}
        }  # fmt: skip
        assert "previous_owner_may_claim" not in pool  # checked again: the default


def test_a_bad_reason_is_pinned_in_the_designer(live: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/lead", "en")
        reasons = page.locator("#pool-settings .pool-reason")
        reasons.nth(1).locator(".reason-value").fill("no_answer")
        reasons.nth(1).locator(".reason-value").dispatch_event("change")
        # The publish preview checks the draft first and pins what is wrong.
        designer.expect_failure(422, "/api/apps/marketing/publish/preview")
        page.click("#publish")
        pointer = "/pool/returns/reasons/1/value"
        expect(page.locator(f".pinned.has-error[data-pointer='{pointer}']")).to_have_count(1)
