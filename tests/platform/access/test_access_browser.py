"""Access in a real Chromium against a real uvicorn server: a rep and a manager each see
exactly their leads (and the rep never the hidden Amount column), and a rep shares a lead
with another rep through the record page's Sharing panel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from access_testing import PASSWORD, Secured, secure_crm
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from playwright.sync_api import Browser, Page, expect, sync_playwright

from jimu.app import create_app
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser


@pytest.fixture
def secured_server(platform: Platform, tmp_path: Path) -> Iterator[tuple[str, Secured]]:
    """A uvicorn server in a thread over the test's database with the secured crm app."""
    secured = secure_crm(platform, tmp_path)
    with serve(create_app(platform=platform)) as base:
        yield base, secured


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def signed_in(browser: Browser, base: str, username: str) -> Page:
    """A page of a fresh browser context (its own cookies) signed in as ``username``."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/apps")
    return page


def listed_leads(page: Page, base: str) -> list[str]:
    """The names in the lead list, sorted by name."""
    page.goto(f"{base}/apps/crm/lead?sort=name")
    expect(page.locator("#records")).to_be_visible()
    headers = [h.strip() for h in page.locator("#records thead th").all_inner_texts()]
    column = next(i for i, h in enumerate(headers, 1) if h.rstrip("↑↓") == "Name")
    names = page.locator(f"#records tbody tr td:nth-child({column})").all_inner_texts()
    return [name.strip() for name in names]


def test_each_user_sees_exactly_their_leads_and_a_share_opens_one(
    secured_server: tuple[str, Secured], browser: Browser
) -> None:
    base, secured = secured_server
    rex = signed_in(browser, base, "rex")
    assert listed_leads(rex, base) == ["pool", "rex1", "rex2"]
    headers = [h.strip().rstrip("↑↓") for h in rex.locator("#records thead th").all_inner_texts()]
    assert "Name" in headers and "Email" in headers
    assert "Amount" not in headers

    mia = signed_in(browser, base, "mia")
    assert listed_leads(mia, base) == ["rex1", "rex2", "wes1"]
    expect(mia.locator("#records thead th", has_text="Amount")).to_have_count(1)

    wes = signed_in(browser, base, "wes")
    assert listed_leads(wes, base) == ["pool", "wes1"]
    lead_url = f"{base}/apps/crm/lead/{secured.leads['rex1']}"
    response = wes.goto(lead_url)
    assert response is not None and response.status == 404

    # rex shares rex1 with wes for viewing, on the record page's Sharing panel.
    rex.goto(lead_url)
    expect(rex.locator("a.btn-primary", has_text="Edit")).to_be_visible()
    expect(rex.locator("#shares-empty")).to_be_visible()
    rex.select_option("#share-user", label="wes")
    rex.check("input[name=access][value=read]")
    rex.click("#share-form button[type=submit]")
    expect(rex.locator(".notice")).to_contain_text("The record was shared.")
    expect(rex.locator("#shares tbody tr")).to_have_count(1)
    expect(rex.locator("#shares tbody tr")).to_contain_text("wes")
    expect(rex.locator("#shares tbody tr")).to_contain_text("Can view")

    assert listed_leads(wes, base) == ["pool", "rex1", "wes1"]
    wes.goto(lead_url)
    expect(wes.locator("h1")).to_have_text("rex1")
    expect(wes.locator("a.btn-primary", has_text="Edit")).to_have_count(0)
    expect(wes.locator("#sharing")).to_have_count(0)

    # Stopping the share (the confirmation is accepted) closes it again.
    rex.click("#shares button:has-text('Stop sharing')")
    expect(rex.locator(".notice")).to_contain_text("no longer shared")
    expect(rex.locator("#shares-empty")).to_be_visible()
    assert listed_leads(wes, base) == ["pool", "wes1"]
