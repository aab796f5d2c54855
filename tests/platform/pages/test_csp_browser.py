"""The pages under their Content-Security-Policy in a real Chromium: nothing is blocked.

Every page is opened with a listener for ``securitypolicyviolation`` (added by Playwright, not
subject to the page's policy) and the console is read for CSP reports; a page that needed an
inline script or style without the nonce would show up here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from pages_testing import import_marketing
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import ConsoleMessage, Page, expect, sync_playwright
from widget_app import import_widget_app

from jimu.app import create_app
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sample);
});
"""
PAGES = [
    "/apps",
    "/apps/works",
    "/apps/works/project",
    "/apps/works/project/new",
    "/account/security",
    "/account/tokens",
    "/admin/audit",
    "/f/marketing/contact-us",
]


@pytest.fixture
def server(platform: Platform, tmp_path: Path) -> Iterator[str]:
    import_marketing(platform)
    import_widget_app(platform, tmp_path / "works")
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    with serve(create_app(platform=platform)) as base:
        yield base


def test_no_page_breaks_its_content_security_policy(server: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US")
            context.set_default_timeout(TIMEOUT_MS)
            context.add_init_script(RECORD_VIOLATIONS)
            page = context.new_page()
            console: list[str] = []

            def note(message: ConsoleMessage) -> None:
                if "Content Security Policy" in message.text:
                    console.append(message.text)

            page.on("console", note)
            sign_in(page, server)
            seen: dict[str, list[str]] = {}
            for url in PAGES:
                page.goto(server + url)
                page.wait_for_load_state("networkidle")
                seen[url] = page.evaluate("window.__cspViolations")
            editor = page.goto(server + "/apps/works/project/new")
            assert editor is not None
            expect(page.locator("trix-editor")).to_have_count(1)
            assert {url: v for url, v in seen.items() if v} == {}
            assert console == []
        finally:
            browser.close()


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/apps")
