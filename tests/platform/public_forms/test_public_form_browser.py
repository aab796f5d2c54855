"""The marketing "Contact us" link in a real Chromium, against a real uvicorn server.

Opens the link with UTM parameters, submits with one validation error, fixes it, sees the
success message, and then finds the lead with the UTM values (and nothing it should not have).
Screenshots go to a temporary folder (or ``JIMU_SCREENSHOT_DIR``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from playwright.sync_api import Page, expect, sync_playwright
from public_forms_testing import history_sources, import_marketing, leads

from jimu.app import create_app
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser

UTM = (
    "utm_source=baidu&utm_medium=cpc&utm_campaign=2026-q4-sem"
    "&utm_term=%E8%90%A5%E9%94%80%E4%BA%91"  # 营销云
)


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    """A uvicorn server in a thread over the test's database, with the marketing app."""
    import_marketing(platform)
    with serve(create_app(platform=platform)) as base:
        yield base


@pytest.fixture
def screens(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JIMU_SCREENSHOT_DIR") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="Asia/Shanghai"
            )
            context.set_default_timeout(TIMEOUT_MS)
            yield context.new_page()
        finally:
            browser.close()


def test_contact_us_in_chromium(
    server: str, browser_page: Page, platform: Platform, screens: Path
) -> None:
    page, base = browser_page, server
    page.goto(f"{base}/f/marketing/contact-us?{UTM}")
    expect(page.locator("h1")).to_have_text("Contact us")
    expect(page.locator("label[for=f-description]")).to_have_text("Message")
    expect(page.locator("#f-source")).to_have_count(0)  # the default is hidden
    page.fill("#f-name", "王小明")
    page.fill("#f-company", "上海华拓新材料有限公司")
    page.fill("#f-phone", "138 1234 5678")
    page.fill("#f-email", "wang.huatuo.example")  # no @: the one mistake
    page.fill("#f-description", "我们想了解 CDP 的演示。")
    page.screenshot(path=str(screens / "public-01-filled.png"), full_page=True)
    page.click("button[type=submit]")

    expect(page.locator("#f-email-error")).to_be_visible()
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator("#f-name")).to_have_value("王小明")  # what was typed is kept
    expect(page.locator("input[name='capture.utm_source']")).to_have_value("baidu")
    page.screenshot(path=str(screens / "public-02-error.png"), full_page=True)
    assert leads(platform, name="王小明") == []

    page.fill("#f-email", "wang@huatuo.example")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/f/marketing/contact-us/thanks")
    expect(page.locator("#public-form-message")).to_contain_text("We have received your message")
    page.screenshot(path=str(screens / "public-03-thanks.png"), full_page=True)

    (lead,) = leads(platform, name="王小明")
    assert lead["email"] == "wang@huatuo.example"
    assert lead["phone"] == "+8613812345678"
    assert lead["source"] == "website_form" and lead["status"] == "new"
    assert (lead["utm_source"], lead["utm_medium"]) == ("baidu", "cpc")
    assert (lead["utm_campaign"], lead["utm_term"]) == ("2026-q4-sem", "营销云")
    assert lead["owner_id"] is None and lead["created_by"] is None
    assert history_sources(platform, lead["id"]) == ["public"]

    page.goto(f"{base}/f/marketing/contact-us?lang=zh")
    expect(page.locator("h1")).to_have_text("联系我们")
    expect(page.locator("label[for=f-description]")).to_have_text("留言")
