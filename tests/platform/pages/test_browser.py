"""The runtime pages in a real Chromium, against a real uvicorn server on a fresh database.

Signs in, creates a lead with a validation error then fixes it, filters the list, edits, reads
the history, deletes and restores, imports an XLSX, switches to Chinese and signs out.
Screenshots go to a temporary folder (or ``JIMU_SCREENSHOT_DIR``) for a look at the pages.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from openpyxl import Workbook
from pages_testing import import_marketing
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import Page, expect, sync_playwright

from jimu.app import create_app
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    """A uvicorn server in a thread over the test's database, with the marketing app."""
    import_marketing(platform)
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    with serve(create_app(platform=platform)) as base:
        yield base


@pytest.fixture
def screens(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JIMU_SCREENSHOT_DIR") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def browser_page() -> Iterator[Page]:
    """A Chromium page (Debian's browser) that accepts confirmation dialogs."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1360, "height": 900}, locale="en-US", timezone_id="Asia/Shanghai"
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            yield page
        finally:
            browser.close()


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/apps")


def test_the_lead_journey_in_chromium(
    server: str, browser_page: Page, screens: Path, tmp_path: Path
) -> None:
    run_journey(browser_page, server, screens, tmp_path)


def test_a_contract_with_sub_table_lines_and_a_link_picker(
    server: str, browser_page: Page, platform: Platform, screens: Path
) -> None:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        ctx = WriteContext(source="system")
        records.create(conn, "account", {"name": "Acme Ltd", "region": "east"}, ctx)
        records.create(conn, "account", {"name": "Globex", "region": "north"}, ctx)
    page, base = browser_page, server
    sign_in(page, base)
    page.goto(f"{base}/apps/marketing/contract/new")
    page.fill("#f-name", "Acme 2027")

    # The link picker searches the accounts as one types.
    page.fill("#f-account", "Acme")
    page.click(".picker-results li:has-text('Acme Ltd')")
    expect(page.locator("#f-account")).to_have_value("Acme Ltd")

    # Three lines added, the last one removed again.
    lines = page.locator("[data-subtable=lines]")
    for _ in range(3):
        lines.locator("[data-add-row]").click()
    expect(lines.locator("tbody tr")).to_have_count(3)
    page.select_option("#f-lines-0-product", "cdp")
    page.fill("#f-lines-0-quantity", "2")
    page.fill("#f-lines-0-unit_price", "1000")
    page.select_option("#f-lines-1-product", "training")
    page.fill("#f-lines-1-quantity", "1")
    page.fill("#f-lines-1-unit_price", "500")
    expect(page.locator("#f-lines-1-discount")).to_have_value("0")  # the default
    page.fill("#f-lines-1-discount", "10")
    lines.locator("tbody tr").nth(2).locator("[data-remove-row]").click()
    expect(lines.locator("tbody tr")).to_have_count(2)
    page.screenshot(path=str(screens / "08-contract-form.png"), full_page=True)
    page.click("form.record-form button[type=submit]")

    expect(page.locator(".notice")).to_contain_text("Record created.")
    expect(page.locator("[data-field=account] dd")).to_have_text("Acme Ltd")
    expect(page.locator("[data-field=lines] tbody tr")).to_have_count(2)
    expect(page.locator("[data-field=total_amount] dd")).to_have_text("2,450.00")
    page.screenshot(path=str(screens / "09-contract-page.png"), full_page=True)

    # Editing a line changes the total.
    page.click("a:has-text('Edit')")
    page.fill("#f-lines-0-quantity", "3")
    page.click("form.record-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("Changes saved.")
    expect(page.locator("[data-field=total_amount] dd")).to_have_text("3,450.00")


def run_journey(page: Page, base: str, screens: Path, tmp_path: Path) -> None:
    check = expect

    # Sign in: the list sends us to the login page and back.
    page.goto(f"{base}/apps/marketing/lead")
    check(page).to_have_url(re.compile(r"/login\?next="))
    page.screenshot(path=str(screens / "01-login.png"))
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    check(page).to_have_url(f"{base}/apps/marketing/lead")
    check(page.locator(".empty-state")).to_be_visible()

    # A new lead with mistakes: no name and a bad email. Every error is shown at its field.
    page.click("a:has-text('New Lead')")
    page.select_option("#f-source", "wechat")
    page.fill("#f-email", "wang@")
    page.fill("#f-company", "Acme")
    page.click("button:has-text('Save')")
    check(page.locator(".notice-error")).to_contain_text("Please correct the fields")
    check(page.locator("[data-field=name] .field-error")).to_be_visible()
    check(page.locator("[data-field=email] .field-error")).to_be_visible()
    check(page.locator("#f-company")).to_have_value("Acme")
    page.screenshot(path=str(screens / "02-form-errors.png"), full_page=True)

    # Fix them and save.
    page.fill("#f-name", "Wang Fang")
    page.fill("#f-email", "wang@example.com")
    page.fill("#f-phone", "13812345678")
    page.fill("#f-score", "85")
    page.click("button:has-text('Save')")
    check(page.locator(".notice")).to_contain_text("Record created.")
    check(page.locator("h1")).to_have_text("Wang Fang")
    check(page.locator("[data-field=grade] dd")).to_have_text("A")
    lead_url = page.url.split("?")[0]

    # A second lead, so that filtering has something to leave out.
    page.goto(f"{base}/apps/marketing/lead/new")
    page.fill("#f-name", "Li Lei")
    page.select_option("#f-source", "webinar")
    page.click("button:has-text('Save')")
    check(page.locator(".notice")).to_contain_text("Record created.")

    # Filter the list: Name contains "Wang".
    page.goto(f"{base}/apps/marketing/lead")
    check(page.locator("#records tbody tr")).to_have_count(2)
    page.click("#filter-panel summary")
    row = page.locator("[data-filter-row]").first
    row.locator("select[name=ff]").select_option("name")
    row.locator("select[name=fo]").select_option("contains")
    row.locator("input[name=fv]").fill("Wang")
    page.click("[data-filter-form] button[type=submit]")
    check(page.locator("#records tbody tr")).to_have_count(1)
    check(page.locator("#records tbody")).to_contain_text("Wang Fang")
    page.screenshot(path=str(screens / "03-filtered-list.png"), full_page=True)

    # Edit, then see the change in the history.
    page.goto(lead_url)
    page.click("a:has-text('Edit')")
    page.fill("#f-company", "Acme Asia")
    page.select_option("#f-status", "contacted")
    page.click("button:has-text('Save')")
    check(page.locator(".notice")).to_contain_text("Changes saved.")
    history = page.locator("#history")
    check(history).to_contain_text("Version 2")
    check(history).to_contain_text("Acme Asia")
    check(history.locator(".changes").first).to_contain_text("Contacted")
    page.screenshot(path=str(screens / "04-record-history.png"), full_page=True)

    # Delete (confirming the dialog), find it in the recycle bin and restore it.
    page.click("button:has-text('Delete')")
    check(page.locator(".notice")).to_contain_text("Record moved to the recycle bin.")
    check(page.locator("#records tbody tr")).to_have_count(1)
    page.click("a:has-text('Recycle bin')")
    check(page.locator("#recycle-bin tbody")).to_contain_text("Wang Fang")
    page.click("#recycle-bin button:has-text('Restore')")
    check(page.locator(".notice")).to_contain_text("Record restored.")
    check(page.locator(".empty-state")).to_be_visible()
    page.goto(f"{base}/apps/marketing/lead")
    check(page.locator("#records tbody tr")).to_have_count(2)

    # Import an XLSX: first with a bad row (nothing is imported), then fixed.
    bad = tmp_path / "leads-bad.xlsx"
    bad.write_bytes(
        xlsx(
            [["name", "source", "phone"], ["Zhao Min", "webinar", "123"], ["Qian Li", "wechat", ""]]
        )
    )
    page.click("a:has-text('Import')")
    page.set_input_files("#import-file", str(bad))
    page.click("button:has-text('Check file')")
    check(page.locator("#import-summary")).to_contain_text("1 of 2 rows")
    check(page.locator("#import-problems")).to_contain_text("Phone")
    page.screenshot(path=str(screens / "05-import-check.png"), full_page=True)
    good = tmp_path / "leads.xlsx"
    good.write_bytes(
        xlsx(
            [
                ["name", "source", "phone"],
                ["Zhao Min", "webinar", "13900001111"],
                ["Qian Li", "wechat", ""],
            ]
        )
    )
    page.click("a:has-text('Upload another file')")
    page.set_input_files("#import-file", str(good))
    page.click("button:has-text('Check file')")
    check(page.locator("#import-summary")).to_contain_text("2 of 2 rows")
    page.click("button:has-text('Import 2 rows')")
    check(page.locator("#import-done")).to_contain_text("Imported 2 records.")
    page.click("#import-done ~ a.btn-primary")
    check(page.locator("#records tbody tr")).to_have_count(4)
    check(page.locator("#records tbody")).to_contain_text("Zhao Min")
    page.screenshot(path=str(screens / "06-list.png"), full_page=True)

    # Chinese, then sign out.
    page.click(".lang-switch a[lang=zh-CN]")
    check(page.locator("h1")).to_have_text("线索")
    check(page.locator(".page-head")).to_contain_text("新建线索")
    page.goto(lead_url)
    check(page.locator("#history")).to_contain_text("修改历史")
    page.screenshot(path=str(screens / "07-record-zh.png"), full_page=True)
    page.click("button:has-text('退出登录')")
    check(page).to_have_url(re.compile(r"/login"))
    check(page.locator(".notice")).to_contain_text("你已退出登录")
