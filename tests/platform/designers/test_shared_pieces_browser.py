"""The shared designer pieces in Chromium, through the app designer: keyboard equivalents of a
drag, undo/redo (buttons and keys), the unsaved-changes state, server errors pinned to their
element with a summary that scrolls there, and discarding a draft."""

from __future__ import annotations

import json

import pytest
from designer_harness import MARKETING, open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_buttons_undo_redo_pinned_errors_and_discard(live: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing", "en")
        texts = page.locator(".menu-list > .menu-item .menu-text")
        expect(texts.nth(0)).to_have_text("Lead")
        page.get_by_role("button", name="Move Lead down").click()
        expect(texts.nth(0)).to_have_text("Account")
        expect(texts.nth(1)).to_have_text("Lead")
        expect(page.get_by_test_id("bar-state")).to_have_text("Unsaved changes")
        page.click("#undo")
        expect(texts.nth(0)).to_have_text("Lead")
        expect(page.locator("html[data-unsaved=false]")).to_have_count(1)
        page.click("#redo")
        expect(texts.nth(0)).to_have_text("Account")
        page.locator("body").press("Control+z")
        expect(texts.nth(0)).to_have_text("Lead")
        page.locator("body").press("Control+Shift+z")
        expect(texts.nth(0)).to_have_text("Account")

        designer.expect_failure(422, "/api/apps/marketing/documents/app/marketing")
        page.fill("#link-en", "Bad link")
        page.fill("#link-url", "javascript:alert(1)")
        page.click("#add-link")
        page.click("#save-draft")
        last = f"/menu/{texts.count() - 1}"
        expect(page.locator(f'.pinned.has-error[data-pointer="{last}"]')).to_have_count(1)
        errors = designer.pinned_errors()
        assert list(errors) == [last] and errors[last]
        expect(page.locator(".error-summary li")).to_have_count(1)
        page.locator(".error-summary .error-link").click()
        focused = page.evaluate("document.activeElement.closest('.pinned')?.dataset.pointer")
        assert focused == last

        page.get_by_role("button", name="Remove Bad link").click()
        page.click("#save-draft")
        expect(page.get_by_test_id("bar-message")).to_contain_text("Draft saved")
        expect(page.locator(".error-summary")).to_have_count(0)
        page.click("#discard")
        expect(page.get_by_test_id("bar-message")).to_have_text("The draft is discarded.")
        expect(texts.nth(0)).to_have_text("Lead")
        page.reload()
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        expect(texts.nth(0)).to_have_text("Lead")


def test_the_list_creates_a_blank_app_and_one_from_the_template(live: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps", "zh")
        expect(page.locator("a.design-app")).to_have_count(1)
        page.fill("#new-name", "desk")
        page.fill("#new-zh", "服务台")
        page.click("#create-app")
        expect(page).to_have_url(f"{live}/design/apps/desk")
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        expect(page.locator("#label-zh")).to_have_value("服务台")
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text("已上线")

        page = designer.open("/design/apps", "zh")
        page.fill("#new-name", "growth")
        page.fill("#new-en", "Growth")
        page.check("#new-template")
        page.click("#create-app")
        # Copying and publishing a whole app: slow on a loaded 2-core machine.
        expect(page).to_have_url(f"{live}/design/apps/growth", timeout=60_000)
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        shipped = json.loads((MARKETING / "app.json").read_text("utf-8"))["menu"]
        expect(page.locator(".menu-list > .menu-item")).to_have_count(len(shipped))
        expect(page.locator("#label-en")).to_have_value("Growth")
