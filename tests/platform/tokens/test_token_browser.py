"""The API tokens page in a real Chromium against a real uvicorn server; the secret it shows is
then used over real HTTP, within its scope, until it is revoked on the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import Page, expect, sync_playwright
from tokens_testing import publish_notes

from jimu.app import create_app
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser


@pytest.fixture
def server(platform: Platform, crm: str, tmp_path: Path) -> Iterator[str]:
    """uvicorn in a thread over the test's database, with the apps crm and notes."""
    publish_notes(platform, tmp_path / "more")
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    with serve(create_app(platform=platform)) as base:
        yield base


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US", timezone_id="Asia/Shanghai")
            context.set_default_timeout(TIMEOUT_MS)
            tab = context.new_page()
            tab.on("dialog", lambda dialog: dialog.accept())
            yield tab
        finally:
            browser.close()


def test_create_use_and_revoke_a_token_in_chromium(server: str, page: Page) -> None:
    page.goto(f"{server}/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/apps")
    page.click("#nav-tokens")
    expect(page).to_have_url(f"{server}/account/tokens")
    expect(page.locator("#tokens-empty")).to_be_visible()

    page.fill("#token-name", "report script")
    page.check("input[name=access][value=read]")
    page.check("input[name=app_scope][value=some]")
    page.check("input[name=apps][value=crm]")
    page.fill("#token-expires", "2099-12-31")
    page.click("#token-create button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("The token “report script” was created.")
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("jimu_")
    row = page.locator("#tokens tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Read only")
    expect(row).to_contain_text("crm")
    expect(row).to_contain_text("Active")

    bearer = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=server, headers=bearer) as api:
        assert api.get("/api/apps/crm/entities/lead/records").status_code == 200
        refused = api.post("/api/apps/crm/entities/lead/records", json={"name": "x"})
        assert refused.status_code == 403 and refused.json()["reason"] == "token_read_only"
        assert api.get("/api/apps/notes/entities/note/records").status_code == 403

        page.goto(f"{server}/account/tokens")
        expect(page.locator("#token-secret")).to_have_count(0)  # shown only once
        expect(row).not_to_contain_text("Not yet")  # last used is filled in
        row.locator("button:has-text('Revoke')").click()
        expect(row).to_contain_text("Revoked")
        expect(row.locator("button")).to_have_count(0)
        assert api.get("/api/apps/crm/entities/lead/records").status_code == 401

    page.click(".lang-switch a[lang=zh-CN]")
    expect(page.locator("h1")).to_have_text("API 令牌")
    expect(row).to_contain_text("只读")
