"""Files on the approval page in a real Chromium, in English and Chinese: the rep (on a
phone-sized screen) submits the contract with a file chosen in the decision form, then comments
with another one; the timeline lists both as links with their sizes; the manager downloads the
comment's file from the timeline and gets its bytes. No CSP violation, nothing wider than the
phone's screen."""

# ruff: noqa: F811 (the fixtures imported from the task pages browser test are used by name)
from __future__ import annotations

from pathlib import Path

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import expect, sync_playwright

from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import Org
from tests.platform.process.test_task_pages_browser import (  # noqa: F401 (fixtures)
    WIDEST,
    org,
    server,
    signed_in,
)
from tests.platform.rules.rules_testing import APP, create

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"start": "Start: Contract approval", "attach": "Attach files"},
    "zh": {"start": "发起:合同审批", "attach": "附件"},
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_attach_files_to_a_decision_and_a_comment_and_download_them(
    platform: Platform, org: Org, server: str, language: str, tmp_path: Path
) -> None:
    words = WORDS[language]
    lead = create(platform, "lead", name="ACME contract")["id"]
    offer = tmp_path / "offer 报价.txt"
    offer.write_bytes(b"price: 42\n" * 200)
    notes = tmp_path / "notes.csv"
    notes.write_bytes(b"item,price\nwidget,42\n")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            rep = signed_in(browser, server, language, "ann", phone=True)
            rep.goto(f"{server}/apps/{APP}/lead/{lead}")
            rep.get_by_role("button", name=words["start"]).click()
            expect(rep.get_by_label(words["attach"]).first).to_be_visible()
            rep.locator("#decide-files").set_input_files(str(offer))
            rep.locator("#decide-comment").fill("The offer")
            rep.locator('#decide-form [data-outcome="done"]').click()
            expect(rep.locator(".notice")).to_be_visible()
            decided = rep.locator('[data-event="task_done"] [data-files] a')
            expect(decided).to_have_text("📎 offer 报价.txt")
            expect(rep.locator('[data-event="task_done"] [data-files]')).to_contain_text("(2.0 KB)")

            rep.locator("#comment-files").set_input_files(str(notes))
            rep.locator("#comment-submit").click()  # a file without a text is a comment too
            expect(rep.locator('[data-event="comment"] [data-files] a')).to_have_text(
                "📎 notes.csv"
            )
            assert rep.evaluate(WIDEST) == [], rep.evaluate(WIDEST)
            with rep.expect_download() as got:
                decided.click()
            assert Path(got.value.path()).read_bytes() == offer.read_bytes()
            assert got.value.suggested_filename == "offer 报价.txt"

            manager = signed_in(browser, server, language, "bob")
            manager.goto(f"{server}/tasks")
            manager.locator("#task-rows a").first.click()
            link = manager.locator('[data-event="comment"] [data-files] a')
            expect(link).to_have_text("📎 notes.csv")
            with manager.expect_download() as got:
                link.click()
            assert Path(got.value.path()).read_bytes() == notes.read_bytes()
            for page in (rep, manager):
                assert page.evaluate("window.__cspViolations") == []
        finally:
            browser.close()
