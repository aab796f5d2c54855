"""Sign-in security in a real Chromium: a throttled sign-in's message, single sign-on through
the local OpenID Connect provider, the security page's password rules, the admin's audit log
page with its filter and the sign-in throttling page, in English and Chinese. Jimu and the
provider are served by uvicorn."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from platform_testing import add_user
from playwright.sync_api import Page, expect, sync_playwright
from sso_testing import Sso

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "granite-kite-2026"


@pytest.fixture
def browser_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1360, "height": 900}, locale="en-US", timezone_id="UTC"
            )
            context.set_default_timeout(TIMEOUT_MS)
            yield context.new_page()
        finally:
            browser.close()


@pytest.fixture
def screens(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JIMU_SCREENSHOT_DIR") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_sign_in_security_in_a_browser(sso: Sso, browser_page: Page, screens: Path) -> None:
    page, base = browser_page, sso.jimu
    add_user(sso.platform, "admin", ADMIN_PASSWORD, is_admin=True)
    add_user(sso.platform, "bob", "bob-river-2026")

    # Six wrong passwords make bob's username wait (a long first wait: the browser is slow).
    sso.platform.settings.login_backoff_seconds = 600
    for _ in range(7):
        sign_in(page, base, "bob", "not-his-password-1")
    expect(page.locator(".notice-error")).to_contain_text(
        "Too many failed sign-ins for this username. Try again after"
    )
    page.screenshot(path=str(screens / "throttled.png"))

    # Single sign-on: the button goes to the provider and back, signed in as a new user.
    page.goto(f"{base}/login")
    page.click("#sso-login")
    expect(page).to_have_url(f"{base}/apps")
    expect(page.locator(".user-chip")).to_contain_text("Alice Wang")

    # The security page shows every broken password rule at once.
    page.click("#nav-security")
    page.fill("#current_password", "wrong-one-1")
    page.fill("#new_password", "alice")
    page.fill("#repeat_password", "alice")
    page.click("#password-form button[type=submit]")
    expect(page.locator("#new_password-errors li")).to_have_count(2)
    expect(page.locator("#new_password-errors")).to_contain_text("Use at least 10 characters.")
    expect(page.locator("#current_password-errors")).to_contain_text("not your current")
    page.screenshot(path=str(screens / "security.png"))
    page.click("#sign-out-everywhere button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("You have signed out everywhere.")

    # The admin filters the audit log for failed sign-ins.
    sign_in(page, base, "admin", ADMIN_PASSWORD)
    expect(page).to_have_url(f"{base}/apps")
    page.click("#nav-audit")
    expect(page.locator("h1")).to_have_text("Audit log")
    page.select_option("#audit-kind", "sign_in_failed")
    page.fill("#audit-username", "bob")
    page.click("#audit-filter button[type=submit]")
    rows = page.locator("#audit-events tbody tr")
    expect(rows).to_have_count(7)  # six wrong passwords and the one that had to wait
    expect(rows.first).to_contain_text('"reason": "throttled"')
    page.fill("#audit-username", "alice.w")
    page.select_option("#audit-kind", "sign_in")
    page.click("#audit-filter button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text('"method": "oidc"')
    page.screenshot(path=str(screens / "audit.png"))

    # The admin clears bob's wait on the throttling page (audited).
    page.click("#link-throttles")
    expect(page.locator("h1")).to_have_text("Sign-in throttling")
    bob = page.locator('#throttles tr[data-scope="account"][data-key="bob"]')
    expect(bob).to_contain_text("6")
    page.screenshot(path=str(screens / "throttles.png"))
    bob.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("The failed sign-ins of bob were forgotten.")
    expect(bob).to_have_count(0)
    page.goto(f"{base}/admin/audit?kind=account_unlocked&lang=zh")
    expect(page.locator("h1")).to_have_text("审计日志")
    expect(rows.first).to_contain_text("账号解锁")
