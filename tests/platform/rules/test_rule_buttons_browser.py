"""A rule's button in a real Chromium: pressed on the record page (with its question) and on
the list for the ticked records; the page says the press is queued, then done; a record whose
condition fails shows the button greyed with the reason."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from effects_testing import APP, CONVERT, create, publish
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Dialog, Page, expect, sync_playwright
from rules_testing import get, worker

from jimu.app import create_app
from jimu.platform.models import User
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    with serve(create_app(platform=platform)) as base:
        yield base


def signed_in_page(server: str, questions: list[str]) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()

            def answer(dialog: Dialog) -> None:
                questions.append(dialog.message)
                dialog.accept()

            page.on("dialog", answer)
            page.goto(f"{server}/login?lang=en")
            page.fill("#username", "admin")
            page.fill("#password", ADMIN_PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{server}/apps")
            yield page
        finally:
            browser.close()


def test_pressing_the_button_on_the_record_page_and_on_the_list(
    platform: Platform, admin: User, server: str
) -> None:
    publish(platform, [CONVERT])
    first = create(platform, "lead", admin.id, name="Ann", status="new")
    second = create(platform, "lead", admin.id, name="Ben", status="new")
    converted = create(platform, "lead", admin.id, name="Cid", status="mql")
    worker(platform).drain()
    questions: list[str] = []
    for page in signed_in_page(server, questions):
        # The record page: the button asks first, then says the press is queued.
        page.goto(f"{server}/apps/{APP}/lead/{first['id']}")
        page.get_by_role("button", name="Convert").click()
        expect(page.locator(".notice, [role=status], .alert").first).to_contain_text("Queued for 1")
        assert questions == ["Convert this lead?"]
        worker(platform).drain()
        page.reload()
        expect(page.get_by_text("Done for 1 record(s).")).to_be_visible()
        assert get(platform, "lead", first["id"])["status"] == "mql"
        # Now the condition fails: the button is greyed, with the reason.
        button = page.get_by_role("button", name="Convert")
        expect(button).to_be_disabled()
        expect(page.locator(".rule-button .hint")).to_contain_text("Only when:")

        # The list: tick two records, press once; the one already converted is skipped.
        page.goto(f"{server}/apps/{APP}/lead")
        page.get_by_label(f"Select record #{second['id']}").check()
        page.get_by_label(f"Select record #{converted['id']}").check()
        page.locator("#rule-buttons").get_by_role("button", name="Convert").click()
        notice = page.get_by_text("Queued for 1 record(s)")
        expect(notice).to_be_visible()
        expect(page.get_by_text("Not done for 1 record(s)")).to_be_visible()
        assert questions == ["Convert this lead?", "Convert this lead?"]
        worker(platform).drain()
        assert get(platform, "lead", second["id"])["status"] == "mql"
