"""The app designer in Chromium: a real drag reorders the menu, save, publish, and the app's
sidebar follows; in English and in Chinese, with no CSP violation or console error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

#: The marketing app's menu, as shipped (the designer shows one row per item).
MENU = json.loads(
    (Path(__file__).resolve().parents[3] / "examples/marketing/app.json").read_text("utf-8")
)["menu"]

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {"lead": "Lead", "account": "Account", "live": "is live"},
    "zh": {"lead": "线索", "account": "客户", "live": "已上线"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dragging_the_menu_then_publishing_reorders_the_apps_sidebar(live: str, lang: str) -> None:
    texts = TEXTS[lang]
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing", lang)
        rows = page.locator(".menu-list > .menu-item")
        expect(rows.first.locator(".menu-text")).to_have_text(texts["lead"])
        expect(rows.nth(1).locator(".menu-text")).to_have_text(texts["account"])
        designer.drag(rows.first.locator(".drag-handle"), rows.nth(1))
        expect(rows.first.locator(".menu-text")).to_have_text(texts["account"])
        expect(rows.nth(1).locator(".menu-text")).to_have_text(texts["lead"])
        expect(page.locator("html[data-unsaved=true]")).to_have_count(1)
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])
        expect(page.locator("html[data-unsaved=false]")).to_have_count(1)
        page.goto(f"{live}/apps/marketing?lang={lang}")
        sidebar = page.locator(".sidebar li a")
        expect(sidebar.first).to_have_text(texts["account"])
        expect(sidebar.nth(1)).to_have_text(texts["lead"])


def test_groups_links_and_colour_reach_the_sidebar(live: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing", "en")
        page.fill("#group-en", "Sales")
        page.fill("#group-zh", "销售")
        page.click("#add-group")
        page.fill("#link-en", "Handbook")
        page.fill("#link-url", "https://example.org/handbook")
        page.click("#add-link")
        top = page.locator(".menu-list:not(.menu-children) > .menu-item")
        expect(top).to_have_count(len(MENU) + 2)  # the app's menu, the group and the link
        top.first.locator("select.into-group").select_option(label="Sales")
        children = page.locator(".menu-children > .menu-item .menu-text")
        expect(children).to_have_text(["Lead"])
        page.get_by_role("button", name="Move Lead out of its group").click()
        expect(children).to_have_count(0)
        page.click("#undo")
        expect(children).to_have_text(["Lead"])
        page.locator("#color").evaluate(
            "(el) => { el.value = '#aa3355'; el.dispatchEvent(new Event('change')) }"
        )
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text("is live")
        page.click("#open-app")
        sidebar = page.locator("nav.sidebar")
        expect(sidebar).to_have_attribute("style", "--app-color: #aa3355")
        expect(sidebar.locator(".nav-group .nav-group-label")).to_have_text("Sales")
        expect(sidebar.locator(".nav-group li a")).to_have_text(["Lead"])
        handbook = sidebar.get_by_role("link", name="Handbook")
        expect(handbook).to_have_attribute("target", "_blank")
