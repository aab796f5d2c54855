"""The rule designer's editors for assign_owner's territory rows (with a real drag), the
fallback pool, decision_table's output maps fed by the table's outputs, create_task's single
assignee, department_head among recipients, the schedule trigger's cron preview from the server,
and the webhook panel making a secret shown once — in Chromium, in both languages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.rules.inbound import secret_state
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
WORDS = {
    "en": {"territory": "Territory rows", "user": "One user", "users": "Users",
           "manager": "Owner's manager", "head": "Heads of the owner's department",
           "schedule": "On a schedule", "fewest": "Fewest open"},
    "zh": {"territory": "按区域规则", "user": "单个用户", "users": "多个用户",
           "manager": "负责人的上级", "head": "负责人所在部门的主管",
           "schedule": "按计划定时", "fewest": "未结最少者"},
}  # fmt: skip


def pick(page: Page, select: Locator, option: str) -> None:
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    open_options(page, select).filter(has_text=exact).first.click()


def pick_item(page: Page, select: Locator, attribute: str) -> None:
    open_options(page, select).and_(page.locator(f"[{attribute}]")).first.click()


def setting(card: Locator, key: str) -> Locator:
    return card.locator(f"[data-setting={key}]")


def document(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        page.locator(".rule-designer").get_attribute("data-json") or "{}"
    )
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_new_editors_edit_their_settings(live: str, platform: Platform, lang: str) -> None:
    words = WORDS[lang]
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        designer.expect_failure(422, "/api/apps/marketing/rules/cron-preview")
        designer.expect_failure(404, "/api/apps/marketing/rules/routing/webhook")
        page = designer.open("/design/apps/marketing/rules/routing?entity=activity", lang)

        # The trigger picker: a schedule, its cron previewed by the server (three times).
        trigger_on = page.locator(".el-select:has(#trigger-on)")
        pick_item(page, trigger_on, "data-on=schedule")
        expect(trigger_on).to_contain_text(words["schedule"])
        cron = page.locator("#rule-trigger [data-setting=cron]")
        cron.locator("input").fill("0 9 * * 1-5")
        expect(cron.locator(".cron-time")).to_have_count(3)
        expect(cron.locator(".cron-time").first).to_contain_text("09:00")
        cron.locator("input").fill("0 25 * * *")
        expect(cron.locator(".cron-problem")).to_contain_text("hour")
        cron.locator("input").fill("@daily")
        expect(cron.locator(".cron-time")).to_have_count(3)

        # assign_owner: territory rows, each with a condition and a pool; then a real drag.
        page.locator(".palette-action[data-type=assign_owner]").click()
        card = page.locator(".rule-actions > .rule-action").last
        pick(page, setting(card, "method").locator(".setting-choice"), words["territory"])
        territory = setting(card, "territory")
        territory.locator(".territory-add").click()
        territory.locator(".territory-add").click()
        rows = territory.locator(".territory-row")
        expect(rows).to_have_count(2)
        first, second = rows.nth(0), rows.nth(1)
        root = first.locator(".condition-group.is-root")
        root.locator(":scope > .group-head .add-rule").click()
        rule_row = root.locator(":scope > .group-children > li.condition-node").first
        pick_item(page, rule_row.locator(".field-picker"), "data-field=utm_source")
        pick_item(page, rule_row.locator(".operator-picker"), 'data-operator="is_not_empty"')
        pick(page, first.locator(".pool-kind"), words["user"])
        pick(page, first.locator(".pool-users"), "admin")
        pick(page, second.locator(".pool-kind"), words["users"])
        pick(page, second.locator(".pool-users"), "admin")
        page.keyboard.press("Escape")
        pick(page, second.locator(".pool-method"), words["fewest"])
        pick(page, setting(card, "fallback").locator(".pool-kind"), words["user"])
        pick(page, setting(card, "fallback").locator(".pool-users"), "admin")

        def territory_rows() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = document(page)["actions"][0]["territory"]
            return rows

        expect(page.locator(".rule-designer")).to_have_attribute(
            "data-json", re.compile('"fallback":\\{"user":1\\}')
        )
        expect(page.locator(".rule-designer")).to_have_attribute(
            "data-json", re.compile('"utm_source"\\}\\]\\},"user":1\\}')
        )
        before = territory_rows()
        assert before[0]["user"] == 1 and before[0]["when"] == {
            "is_not_blank": [{"var": "utm_source"}]
        }
        assert before[1] == {"when": {"and": []}, "users": [1], "method": "fewest_open"}
        # A real drag by the handle (the publish bar sticks at the top: start mid-screen).
        handle = first.locator(".territory-handle")
        handle.evaluate("e => e.scrollIntoView({block: 'center'})")
        designer.drag(handle, second.locator(".territory-head"))
        expect(rows.nth(0)).to_have_attribute("data-row", "0")
        expect(page.locator(".rule-designer")).to_have_attribute(
            "data-json", re.compile(r'"territory": ?\[\{"when": ?\{"and"')
        )
        assert territory_rows() == [before[1], before[0]]
        # the condition builder moved with its row
        moved_words = rows.nth(1).locator(".words-text").first
        expect(moved_words).to_contain_text(re.compile("utm", re.IGNORECASE))
        assert document(page)["actions"][0]["fallback"] == {"user": 1}
        # ↑ moves it back from the keyboard's side
        rows.nth(1).locator(".territory-up").click()
        expect(page.locator(".rule-designer")).to_have_attribute(
            "data-json", re.compile(r'"territory":\[\{"when":\{"is_not_blank"')
        )
        assert territory_rows() == before

        # decision_table: the table picker, output_map rows from the table's outputs.
        page.locator(".palette-action[data-type=decision_table]").click()
        table_card = page.locator(".rule-actions > .rule-action").last
        pick_item(page, setting(table_card, "table").locator(".setting-table"),
                  "data-table=lead_scoring")  # fmt: skip
        for key in ("set", "add"):
            row = setting(table_card, key).locator(".output-map-row[data-output=points]")
            pick_item(page, row.locator(".field-picker"), "data-field=score_delta")
            page.keyboard.press("Escape")
            expect(page.locator(".el-select-dropdown__item[data-field]:visible")).to_have_count(0)
        action = document(page)["actions"][1]
        mapped = {"points": "score_delta"}
        assert action == {"type": "decision_table", "table": "lead_scoring",
                          "set": mapped, "add": mapped}  # fmt: skip

        # create_task: one assignee; notify: department_head among the recipients.
        page.locator(".palette-action[data-type=create_task]").click()
        task_card = page.locator(".rule-actions > .rule-action").last
        assignee = setting(task_card, "assignee")
        assignee.locator(".add-recipient").click()
        expect(assignee.locator(".add-recipient")).to_have_count(0)
        pick(page, assignee.locator(".recipient-kind"), words["manager"])
        assert document(page)["actions"][2]["assignee"] == {"kind": "manager"}
        page.locator(".palette-action[data-type=notify]").click()
        notify = setting(page.locator(".rule-actions > .rule-action").last, "recipients")
        notify.locator(".add-recipient").click()
        pick(page, notify.locator(".recipient-kind"), words["head"])
        assert document(page)["actions"][3]["recipients"] == [{"kind": "department_head"}]

        # The webhook trigger: before publishing the panel says so.
        pick_item(page, trigger_on, "data-on=webhook")
        expect(page.locator(".webhook-unpublished")).to_be_visible()
        designer.assert_clean()


def test_the_webhook_panel_makes_a_secret_shown_once(live: str, platform: Platform) -> None:
    hook = {"kind": "rule", "name": "inbound", "entity": "lead",
            "trigger": {"on": "webhook", "match": {"email": "$payload.email"}},
            "actions": [{"type": "set_fields",
                         "formulas": {"email": "$payload.email"}}]}  # fmt: skip
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "rule", "inbound", hook)
    # Published from the designer (zh): the secret is made at once and shown once.
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        designer.expect_failure(404, "/api/apps/marketing/rules/inbound/webhook")
        page = designer.open("/design/apps/marketing/rules/inbound", "zh")
        panel = page.locator(".webhook-panel")
        expect(panel.locator(".webhook-unpublished")).to_be_visible()
        page.click("#publish")
        expect(panel.locator(".webhook-secret input")).to_have_value(re.compile("^whsec_"))
        expect(panel.locator(".webhook-url input")).to_have_value(
            re.compile(r"/api/hooks/marketing/inbound$")
        )
        expect(panel.locator(".webhook-curl")).to_contain_text("X-Jimu-Signature")
        expect(panel).to_have_attribute("data-has-secret", "true")
        first = panel.locator(".webhook-secret input").input_value()
        designer.assert_clean()
    with platform.engine.connect() as conn:
        made = secret_state(conn, "marketing", "inbound")
    assert made is not None
    # Reopened (en): no secret shown any more; Rotate makes a new one.
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/rules/inbound", "en")
        panel = page.locator(".webhook-panel")
        expect(panel).to_have_attribute("data-has-secret", "true")
        expect(panel.locator(".webhook-secret")).to_have_count(0)
        page.once("dialog", lambda dialog: dialog.accept())
        panel.locator(".webhook-make-secret").filter(has_text="Rotate the secret").click()
        expect(panel.locator(".webhook-secret input")).to_have_value(re.compile("^whsec_"))
        assert panel.locator(".webhook-secret input").input_value() != first
        designer.assert_clean()
