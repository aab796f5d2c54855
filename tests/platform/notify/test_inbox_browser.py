"""The inbox in a real Chromium, in English and Chinese: the header's unread count, marking
one and all read, and a notification's link opening its record; no CSP violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from platform_testing import ADMIN_PASSWORD, sign_in
from playwright.sync_api import Page, expect, sync_playwright

from jimu.app import create_app
from jimu.platform import notify
from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
WORDS = {
    "en": {"locale": "en-US", "inbox": "Inbox", "read_all": "Mark all read", "open": "Open record"},
    "zh": {"locale": "zh-CN", "inbox": "通知", "read_all": "全部标为已读", "open": "打开记录"},
}


@pytest.fixture
def lead_id(platform: Platform, admin: User, crm: str) -> int:
    with TestClient(create_app(platform=platform)) as client:
        sign_in(client, "admin", ADMIN_PASSWORD)
        answer = client.post("/api/apps/crm/entities/lead/records", json={"name": "Wang Fang"})
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    with serve(create_app(platform=platform)) as base:
        yield base


def browser_page(language: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale=WORDS[language]["locale"])
            context.set_default_timeout(TIMEOUT_MS)
            context.add_init_script(RECORD_VIOLATIONS)
            yield context.new_page()
        finally:
            browser.close()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_inbox_in_the_header(
    platform: Platform, admin: User, lead_id: int, server: str, language: str
) -> None:
    words = WORDS[language]
    with begin_write(platform.engine) as conn:
        notify.post_inbox(
            conn,
            admin.id,
            title="Lead assigned: Wang Fang",
            app="crm",
            entity="lead",
            record_id=lead_id,
        )
        notify.post_inbox(conn, admin.id, title="Score reached 60", body="MQL now")
        notify.post_inbox(conn, admin.id, title="Weekly digest")
    for page in browser_page(language):
        page.goto(f"{server}/login?lang={language}")
        page.fill("#username", "admin")
        page.fill("#password", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{server}/apps")
        link = page.locator("#nav-inbox")
        expect(link).to_contain_text(words["inbox"])
        expect(page.locator("#nav-inbox-count")).to_have_text("3")

        link.click()
        expect(page).to_have_url(f"{server}/inbox")
        items = page.locator(".inbox-item")
        expect(items).to_have_count(3)
        expect(page.locator(".inbox-item.unread")).to_have_count(3)
        digest = page.locator(".inbox-item", has_text="Weekly digest")
        digest.locator("[data-read]").click()
        expect(page.locator(".inbox-item.unread")).to_have_count(2)
        expect(page.locator("#nav-inbox-count")).to_have_text("2")

        page.locator(".inbox-item", has_text="Wang Fang").get_by_role(
            "button", name=words["open"]
        ).click()
        expect(page).to_have_url(f"{server}/apps/crm/lead/{lead_id}")
        expect(page.locator("main")).to_contain_text("Wang Fang")
        expect(page.locator("#nav-inbox-count")).to_have_text("1")

        page.locator("#nav-inbox").click()
        page.get_by_role("button", name=words["read_all"]).click()
        expect(page.locator(".inbox-item.unread")).to_have_count(0)
        expect(page.locator("#nav-inbox-count")).to_be_hidden()
        assert page.evaluate("window.__cspViolations") == []
