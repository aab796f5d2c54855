"""A task deadline set in the flow designer's side panel, in Chromium, in English and in
Chinese: an approver node gets "due in 3 working days" by the marketing app's 2026 Chinese
calendar, a reminder 4 hours before, escalation to the manager and an automatic approval when
overdue; with the calendar taken away the publish is refused and the problem pinned next to
the due time in the panel; put back, the flow publishes with the deadline, the card shows it,
and an instance started through the API has a task with its due time."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import Locator, Page, expect

from jimu.engines.calendar import load_calendar
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
APP = "marketing"
EXAMPLE = Path(__file__).parents[3] / "examples" / "marketing"
TEXTS = {
    "en": {
        "entity": "Opportunity",
        "user": "User",
        "working_days": "working days",
        "calendar": "China working days 2026",
        "no_calendar": "None (calendar time)",
        "approve": "Approve automatically",
        "card": "Due in 3 working days",
        "published": "is live",
        "mode_field": "At a date field of the record",
        "field": "Closed on",
        "field_card": "Due at Closed on",
        "mode_span": "After a duration",
    },
    "zh": {
        "entity": "商机",
        "user": "指定成员",
        "working_days": "个工作日",
        "calendar": "2026 年中国工作日",
        "no_calendar": "不使用(自然时间)",
        "approve": "自动通过",
        "card": "时限 3 个工作日",
        "published": "已上线",
        "mode_field": "记录的日期字段",
        "field": "实际关闭日期",
        "field_card": "截止于实际关闭日期",
        "mode_span": "固定时长",
    },
}


def pick(page: Page, select: Locator, option: str) -> None:
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    open_options(page, select).filter(has_text=exact).first.click()


def document(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        page.locator(".flow-designer").get_attribute("data-json") or "{}"
    )
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_deadline_set_in_the_side_panel_is_published_and_runs(
    platform: Platform, live: str, lang: str
) -> None:
    texts = TEXTS[lang]
    flow = f"deadline_{lang}"
    boss = add_user(platform, f"boss_{lang}", "pw-12345678").id
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open(f"/design/apps/{APP}/flows", lang)
        page.locator("#new-flow-name").fill(flow)
        page.locator("#new-flow").click()
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        page.locator("#flow-label-en").fill("Quote approval")
        page.locator("#flow-label-zh").fill("报价审批")
        pick(page, page.locator("#flow-entity"), texts["entity"])
        main = page.locator(".flow-column > .flow-run")
        main.locator(":scope > .flow-add > .flow-add-button").nth(0).click()
        page.locator('.flow-add-menu .flow-add-kind[data-kind="approval"]').click()
        panel = page.get_by_test_id("node-panel")
        panel.locator(".add-assignee").click()
        row = panel.locator(".assignee-row").last
        pick(page, row.locator(".assignee-kind"), texts["user"])
        pick(page, row.locator(".assignee-user"), f"boss_{lang}")

        editor = panel.get_by_test_id("deadline")
        editor.locator(".deadline-on").click()
        expect(editor.locator(".due-amount")).to_have_count(1)
        editor.locator(".due-amount input").fill("3")
        editor.locator(".due-amount input").press("Tab")
        expect(editor.locator(".due-unit")).to_contain_text(texts["working_days"])
        expect(editor.locator(".deadline-calendar")).to_contain_text(texts["calendar"])
        editor.locator(".remind-add").click()
        expect(editor.locator(".deadline-reminder")).to_have_count(1)
        editor.locator(".deadline-escalate").click()
        pick(page, editor.locator(".overdue-action"), texts["approve"])
        card = page.locator(".flow-card[data-type='approval']")
        expect(card.locator(".flow-card-due")).to_contain_text(texts["card"])

        # Working days without a calendar: refused, the problem pinned at the due time.
        pick(page, editor.locator(".deadline-calendar"), texts["no_calendar"])
        designer.expect_failure(422, f"/api/apps/{APP}/publish")
        page.locator("#publish").click()
        pinned = editor.locator(".pinned.has-error[data-pointer='/nodes/1/deadline/due']")
        expect(pinned.locator(".pinned-error")).to_contain_text("calendar")
        pick(page, editor.locator(".deadline-calendar"), texts["calendar"])
        page.locator("#publish").click()
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["published"])
        expect(page.locator(".pinned.has-error")).to_have_count(0)
        assert document(page)["nodes"][1]["deadline"]["calendar"] == "cn_2026"

        with platform.engine.connect() as conn:
            live_doc = store.published(conn, APP, "flow", flow)
        assert live_doc is not None
        node = live_doc.body["nodes"][1]
        assert node["assignees"] == [{"kind": "user", "id": boss}]
        assert node["deadline"] == {
            "due": {"amount": 3, "unit": "working_days"},
            "calendar": "cn_2026",
            "remind": [{"amount": 4, "unit": "hours"}],
            "escalate": {},
            "overdue": {"action": "approve"},
        }

        record = _opportunity(platform, lang)
        csrf = page.evaluate(
            "JSON.parse(document.getElementById('designer-boot').textContent).csrf_token"
        )
        answer = page.request.post(
            f"{live}/api/apps/{APP}/processes/{flow}/instances",
            data={"record_id": record},
            headers={"X-CSRF-Token": csrf, "Origin": live},
        )
        assert answer.status == 201, answer.text()
        [task] = answer.json()["tasks"]
        assert task["users"] == [boss]
        due = datetime.fromisoformat(task["due_at"])
        created = datetime.fromisoformat(task["created_at"])
        app_doc = json.loads((EXAMPLE / "app.json").read_text("utf-8"))
        calendar = load_calendar(app_doc["calendars"]["cn_2026"], ZoneInfo("UTC"))
        assert due == calendar.add_working_days(created, 3)  # weekends and holidays skipped
        assert due - created > timedelta(days=2)

        # Opened again, the published flow reads back with its deadline in the panel.
        page = designer.open(f"/design/apps/{APP}/flows/{flow}", lang)
        page.locator(".flow-card[data-type='approval'] .flow-card-open").click()
        editor = page.get_by_test_id("node-panel").get_by_test_id("deadline")
        expect(editor.locator(".deadline-escalate.is-checked")).to_have_count(1)
        expect(editor.locator(".due-amount input")).to_have_value("3")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_deadline_due_at_a_date_field_is_saved_and_read_back(
    platform: Platform, live: str, lang: str
) -> None:
    """The panel's "due at a date field of the record" offers the flow entity's date fields;
    the one picked is saved as ``until_field`` (no ``due``), shown on the card, published,
    and read back in the panel."""
    texts = TEXTS[lang]
    flow = f"field_deadline_{lang}"
    add_user(platform, f"chief_{lang}", "pw-12345678")
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open(f"/design/apps/{APP}/flows", lang)
        page.locator("#new-flow-name").fill(flow)
        page.locator("#new-flow").click()
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        page.locator("#flow-label-en").fill("Close by")
        page.locator("#flow-label-zh").fill("按期关闭")
        pick(page, page.locator("#flow-entity"), texts["entity"])
        main = page.locator(".flow-column > .flow-run")
        main.locator(":scope > .flow-add > .flow-add-button").nth(0).click()
        page.locator('.flow-add-menu .flow-add-kind[data-kind="approval"]').click()
        panel = page.get_by_test_id("node-panel")
        panel.locator(".add-assignee").click()
        row = panel.locator(".assignee-row").last
        pick(page, row.locator(".assignee-kind"), texts["user"])
        pick(page, row.locator(".assignee-user"), f"chief_{lang}")

        editor = panel.get_by_test_id("deadline")
        editor.locator(".deadline-on").click()
        expect(editor.locator(".due-amount")).to_have_count(1)
        pick(page, editor.locator(".due-mode"), texts["mode_field"])
        expect(editor.locator(".due-amount")).to_have_count(0)
        options = open_options(page, editor.locator(".due-field"))
        expect(options).to_have_count(2)  # expected close and closed on: the date fields
        options.filter(has_text=re.compile(rf"^\s*{re.escape(texts['field'])}\s*$")).click()
        card = page.locator(".flow-card[data-type='approval']")
        expect(card.locator(".flow-card-due")).to_contain_text(texts["field_card"])
        deadline = document(page)["nodes"][1]["deadline"]
        assert deadline == {"until_field": "closed_on", "calendar": "cn_2026"}

        page.locator("#publish").click()
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["published"])
        with platform.engine.connect() as conn:
            live_doc = store.published(conn, APP, "flow", flow)
        assert live_doc is not None
        assert live_doc.body["nodes"][1]["deadline"] == deadline

        # Opened again: the field deadline reads back; back to a duration drops the field.
        page = designer.open(f"/design/apps/{APP}/flows/{flow}", lang)
        expect(page.locator(".flow-card-due")).to_contain_text(texts["field_card"])
        page.locator(".flow-card[data-type='approval'] .flow-card-open").click()
        editor = page.get_by_test_id("node-panel").get_by_test_id("deadline")
        expect(editor.locator(".due-field")).to_contain_text(texts["field"])
        pick(page, editor.locator(".due-mode"), texts["mode_span"])
        expect(editor.locator(".due-amount input")).to_have_value("2")
        assert document(page)["nodes"][1]["deadline"] == {
            "due": {"amount": 2, "unit": "working_days"},
            "calendar": "cn_2026",
        }


def _opportunity(platform: Platform, lang: str) -> int:
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, APP)
    ctx = WriteContext(1, "api")
    with begin_write(platform.engine) as conn:
        account = records.create(conn, "account", {"name": f"Quote {lang}", "region": "east"}, ctx)
        created = records.create(
            conn,
            "opportunity",
            {
                "name": f"Quote {lang}",
                "account": account["id"],
                "stage": "prospecting",
                "amount": 5000,
            },
            ctx,
        )
    return int(created["id"])
