"""The app designer's time zone in Chromium: the server's default shown, a wrong name pinned at
``/time_zone`` when publishing, a right one published in the app document."""

from __future__ import annotations

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

from jimu.platform import metadata_store as store
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("lang", "default", "done"),
    [("en", "the server's (UTC)", "is live"), ("zh", "服务器默认（UTC）", "已上线")],
)
def test_the_apps_time_zone_is_checked_and_published(
    live: str, platform: Platform, lang: str, default: str, done: str
) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing", lang)
        zone = page.locator("#time-zone")
        expect(zone).to_have_attribute("placeholder", default)
        zone.fill("Mars/Olympus")
        zone.dispatch_event("change")
        designer.expect_failure(422, "/api/apps/marketing/publish")
        page.click("#publish")
        expect(page.locator(".pinned.has-error[data-pointer='/time_zone']")).to_have_count(1)
        assert "Mars/Olympus" in designer.pinned_errors()["/time_zone"][0]
        zone.fill("Asia/Shanghai")
        zone.dispatch_event("change")
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(done)
        expect(page.locator(".pinned.has-error")).to_have_count(0)
        expect(page.locator("html[data-unsaved=false]")).to_have_count(1)
    with platform.engine.connect() as conn:
        live_doc = store.published(conn, "marketing", "app", "marketing")
    assert live_doc is not None and live_doc.body["time_zone"] == "Asia/Shanghai"
