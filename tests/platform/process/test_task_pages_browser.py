"""The task inbox and the approval page in a real Chromium, in English and Chinese: a rep
(on a phone-sized screen) starts a contract approval from the record page and submits it;
the manager sees the count in the header, opens the inbox and the task, returns it once (退回)
to the rep's submit step; the rep submits again; the manager approves and the instance
completes. No CSP violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from playwright.sync_api import Browser, Page, expect, sync_playwright

from jimu.app import create_app
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import PASSWORD, Org, make_org, publish_app
from tests.platform.rules.rules_testing import APP, create

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
WORDS = {
    "en": {
        "locale": "en-US",
        "start": "Start: Contract approval",
        "submit": "Submit",
        "return": "Return (退回)",
        "approve": "Approve",
        "completed": "Completed",
        "tasks": "Tasks",
        "title": "Submit the contract",
    },
    "zh": {
        "locale": "zh-CN",
        "start": "发起:合同审批",
        "submit": "提交",
        "return": "退回",
        "approve": "同意",
        "completed": "已通过",
        "tasks": "待办",
        "title": "提交合同",
    },
}
#: The elements that stick out of a 390 px wide screen (none, on a phone-sized page).
WIDEST = """
[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 392)
  .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 12)
"""
FLOW = {
    "kind": "flow",
    "name": "contract",
    "label": {"en": "Contract approval", "zh": "合同审批"},
    "entity": "lead",
    "nodes": [
        {"id": "s", "type": "start", "on": "manual"},
        {
            "id": "submit",
            "type": "fill",
            "label": {"en": "Submit the contract", "zh": "提交合同"},
            "assignees": [{"kind": "initiator"}],
        },
        {
            "id": "mgr",
            "type": "approval",
            "label": {"en": "Sales manager", "zh": "销售经理审批"},
            "assignees": [{"kind": "manager"}],
        },
        {"id": "ok", "type": "end"},
        {"id": "no", "type": "end", "result": "reject"},
    ],
    "edges": [
        {"from": "s", "to": "submit"},
        {"from": "submit", "to": "mgr"},
        {"from": "mgr", "to": "ok", "condition": {"==": [{"var": "outcome"}, "approve"]}},
        {"from": "mgr", "to": "no", "default": True},
    ],
}


@pytest.fixture
def org(platform: Platform) -> Org:
    org = make_org(platform)
    publish_app(platform, [FLOW])
    return org


@pytest.fixture
def server(platform: Platform, org: Org) -> Iterator[str]:
    with serve(create_app(platform=platform)) as base:
        yield base


def signed_in(
    browser: Browser, server: str, language: str, username: str, phone: bool = False
) -> Page:
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale=WORDS[language]["locale"], viewport=size)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.goto(f"{server}/login?lang={language}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/apps")
    return page


@pytest.mark.parametrize("language", ["en", "zh"])
def test_submit_return_resubmit_approve(
    platform: Platform, org: Org, server: str, language: str
) -> None:
    words = WORDS[language]
    lead = create(platform, "lead", name="ACME contract")["id"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            rep = signed_in(browser, server, language, "ann", phone=True)  # a phone-sized screen
            rep.goto(f"{server}/apps/{APP}/lead/{lead}")
            rep.get_by_role("button", name=words["start"]).click()
            expect(rep.locator("#task-title")).to_contain_text(words["title"])
            expect(rep.locator("#task-record")).to_contain_text("ACME contract")
            rep.locator('#decide-form [data-outcome="done"]').click()
            expect(rep.locator(".notice")).to_be_visible()

            manager = signed_in(browser, server, language, "bob")
            expect(manager.locator("#nav-tasks-count")).to_have_text("1")
            manager.locator("#nav-tasks").click()
            expect(manager.locator("h1")).to_contain_text(words["tasks"])
            manager.locator("#task-rows a").first.click()
            expect(manager.locator("#task-record")).to_contain_text("ACME contract")
            manager.select_option("#return-to", "submit")
            manager.locator('#return-form input[name="comment"]').fill("Add the price")
            manager.locator("#return-submit").click()
            expect(manager.locator('[data-event="return"]')).to_contain_text("Add the price")
            expect(manager.locator("#decide-form")).to_have_count(0)

            rep.goto(f"{server}/tasks")
            expect(rep.locator("#task-rows tbody tr")).to_have_count(1)
            rep.locator("#task-rows a").first.click()
            expect(rep.locator('[data-event="return"]')).to_contain_text("Add the price")
            # On a phone the page is one column and fits the screen's width.
            assert rep.evaluate(WIDEST) == [], rep.evaluate(WIDEST)
            rep.locator("#decide-comment").fill("Price added @bob")
            rep.locator('#decide-form [data-outcome="done"]').click()
            expect(rep.locator(".notice")).to_be_visible()

            manager.goto(f"{server}/tasks")
            expect(manager.locator("#task-rows tbody tr")).to_have_count(1)
            manager.locator("#task-rows a").first.click()
            expect(manager.locator("[data-comment]").last).to_contain_text("Price added")
            manager.get_by_role("button", name=words["approve"], exact=True).click()
            expect(manager.locator("#instance-meta")).to_contain_text(words["completed"])
            manager.goto(f"{server}/tasks?tab=done")
            # The task returned and the one approved: every task the manager acted on.
            expect(manager.locator("#task-rows tbody tr")).to_have_count(2)
            expect(manager.locator('#task-rows [data-acted="return"]')).to_have_count(1)
            for page in (rep, manager):
                assert page.evaluate("window.__cspViolations") == []
        finally:
            browser.close()
