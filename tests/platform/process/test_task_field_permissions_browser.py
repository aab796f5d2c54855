"""Approving with an edit on the approval page in a real Chromium, in English and Chinese: the
manager's step lets them change the score, makes the status required and hides the tags; the
page shows the score and the status as inputs, the name read-only and no tags at all;
approving without a status shows the error on that field (nothing written); with a status and a
new score the record is written with the decision and the timeline says what changed. No CSP
violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, serve
from playwright.sync_api import expect, sync_playwright

from jimu.app import create_app
from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.process import instances
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import Org, approval_flow, make_org, publish_app
from tests.platform.process.test_task_pages_browser import RECORD_VIOLATIONS, signed_in
from tests.platform.rules.rules_testing import APP, create, get, records

pytestmark = pytest.mark.browser
WORDS = {
    "en": {"approve": "Approve", "completed": "Completed", "required": "is required",
           "changed": "Changed", "score": "Score"},
    "zh": {"approve": "同意", "completed": "已通过", "required": "必填", "changed": "修改了",
           "score": "Score"},
}  # fmt: skip
NODE = {
    "id": "mgr",
    "type": "approval",
    "label": {"en": "Manager check", "zh": "经理审批"},
    "assignees": [{"kind": "manager"}],
    "field_permissions": {"score": "editable", "status": "required", "tags": "hidden"},
}


@pytest.fixture
def org(platform: Platform) -> Org:
    org = make_org(platform)
    publish_app(platform, [approval_flow("check", [NODE])])
    return org


@pytest.fixture
def server(platform: Platform, org: Org) -> Iterator[str]:
    with serve(create_app(platform=platform)) as base:
        yield base


def _started(platform: Platform, org: Org, name: str) -> tuple[int, int]:
    lead = create(platform, "lead", name=name, score=5, tags=["hot"])["id"]
    with begin_write(platform.engine) as conn:
        result = instances.start_instance(
            conn,
            records(platform),
            APP,
            "check",
            utcnow(),
            entity="lead",
            record_id=lead,
            initiator_id=org.ann,
            platform=platform,
        )
        task = instances.open_tasks(conn, result.instance_id)[0]["id"]
    return lead, int(task)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_approve_with_an_edit(platform: Platform, org: Org, server: str, language: str) -> None:
    words = WORDS[language]
    lead, task = _started(platform, org, f"Field deal {language}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            manager = signed_in(browser, server, language, "bob")
            manager.context.add_init_script(RECORD_VIOLATIONS)
            manager.goto(f"{server}/tasks/{task}")
            record = manager.locator("#task-record")
            expect(record).to_contain_text(f"Field deal {language}")
            expect(record.locator('[data-field="tags"]')).to_have_count(0)
            expect(record.locator('[data-field="name"] input')).to_have_count(0)  # read-only
            expect(record.locator('input[name="score"]')).to_have_value("5")
            # Approving without the required status: the error is on the status field.
            manager.get_by_role("button", name=words["approve"], exact=True).click()
            status = manager.locator('#task-record [data-field="status"]')
            expect(status.locator(".field-error")).to_contain_text(words["required"])
            assert get(platform, "lead", lead)["status"] is None
            # With a status and a new score, the decision writes the record.
            manager.locator('#task-record input[name="score"]').fill("42")
            manager.select_option('#task-record select[name="status"]', "mql")
            manager.locator("#decide-comment").fill("Scored again")
            manager.get_by_role("button", name=words["approve"], exact=True).click()
            expect(manager.locator("#instance-meta")).to_contain_text(words["completed"])
            expect(manager.locator("[data-edited]")).to_contain_text(words["changed"])
            expect(manager.locator("[data-edited]")).to_contain_text(words["score"])
            expect(manager.locator("#task-record")).not_to_contain_text("hot")
            after = get(platform, "lead", lead)
            assert (after["score"], after["status"], after["tags"]) == (42, "mql", ["hot"])
            assert manager.evaluate("window.__cspViolations") == []
        finally:
            browser.close()
