"""The rule designer in Chromium, in English and in Chinese: the rule of the issue built in the
designer — a trigger, a condition of two groups (with "previous value of" offered for update
triggers), two actions from the palette, one REALLY dragged above the other —, a publish refused
with the error pinned on the action's setting, the test run on a record, the publish; then a lead
created through the API, the worker drained, and the actions' result on the record and in the
run log. No CSP violation, console or HTTP error on the way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from designer_harness import open_browser, open_options
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import RuleRun
from jimu.platform.records import WriteContext
from jimu.platform.rules import runs
from jimu.platform.rules.worker import RuleWorker
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
TEXTS = {
    "en": {
        "qualified": "Qualified (MQL)",
        "cdp": "Customer Data Platform",
        "wechat": "WeChat",
        "new": "New",
        "live": "is live",
        "holds": "The condition holds",
        "words": "Score",
    },
    "zh": {
        "qualified": "市场认可线索 MQL",
        "cdp": "客户数据平台 CDP",
        "wechat": "微信公众号",
        "new": "新线索",
        "live": "已上线",
        "holds": "条件成立",
        "words": "线索评分",
    },
}
CONDITION = {
    "and": [
        {"or": [{">=": [{"var": "score"}, 60]}, {"in_list": [{"var": "source"}, ["wechat"]]}]},
        {"or": [{"in_list": [{"var": "status"}, ["new"]]}, {"is_not_blank": [{"var": "name"}]}]},
    ]
}


def pick(page: Page, select: Locator, option: str) -> None:
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    open_options(page, select).filter(has_text=exact).first.click()


def pick_item(page: Page, select: Locator, attribute: str) -> None:
    """Open ``select`` and click its option carrying ``attribute`` (data-field=score …)."""
    open_options(page, select).and_(page.locator(f"[{attribute}]")).first.click()


def rows_of(group: Locator) -> Locator:
    return group.locator(":scope > .group-children > li.condition-node")


def add_row(page: Page, group: Locator, field: str, operator: str, new: bool = True) -> Locator:
    """Fill a new row of ``group`` (or, ``new`` false, its first: a new group has one)."""
    if new:
        group.locator(":scope > .group-head .add-rule").click()
    row = rows_of(group).last
    pick_item(page, row.locator(".field-picker"), f'data-field="{field}"')
    pick_item(page, row.locator(".operator-picker"), f'data-operator="{operator}"')
    return row


def build_condition(page: Page, texts: dict[str, str]) -> None:
    root = page.locator("#rule-condition .condition-group.is-root")
    root.locator(":scope > .group-head .add-group").click()
    first = rows_of(root).nth(0).locator(".condition-group")
    # An update trigger offers each field's previous value.
    first_row = rows_of(first).last
    first_row.locator(".field-picker").click()
    expect(
        page.locator('.el-select-dropdown__item[data-field="$old.status"]:visible')
    ).to_have_count(1)
    page.locator('.el-select-dropdown__item[data-field="score"]:visible').click()
    pick_item(page, first_row.locator(".operator-picker"), 'data-operator="gte"')
    first_row.locator(".value-number input").fill("60")
    source = add_row(page, first, "source", "in")
    pick(page, source.locator(".value-choices"), texts["wechat"])
    page.keyboard.press("Escape")
    root.locator(":scope > .group-head .add-group").click()
    second = rows_of(root).nth(1).locator(".condition-group")
    status = add_row(page, second, "status", "in", new=False)
    pick(page, status.locator(".value-choices"), texts["new"])
    page.keyboard.press("Escape")
    add_row(page, second, "name", "is_not_empty")


def add_lead(platform: Platform, **values: Any) -> int:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        created = records.create(conn, "lead", values, WriteContext(actor_id=None))
    return int(created["id"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_rule_built_in_the_designer_acts_on_a_new_lead(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    sample = add_lead(platform, name="Li", score=90, source="wechat", status="new")
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/rules/hot_leads?entity=lead", lang)
        page.locator("#rule-label-en").fill("Qualify hot leads")
        page.locator("#rule-label-zh").fill("热线索转 MQL")
        pick_item(page, page.locator(".el-select:has(#trigger-on)"), 'data-on="updated"')
        expect(page.locator("#rule-trigger [data-setting=fields]")).to_have_count(1)
        build_condition(page, texts)
        words = page.locator("#rule-condition .words-text")
        expect(words).to_contain_text(texts["words"])
        # The rule acts on new leads: back to the created trigger (the condition stays).
        pick_item(page, page.locator(".el-select:has(#trigger-on)"), 'data-on="created"')
        expect(page.locator("#rule-trigger [data-setting=fields]")).to_have_count(0)

        # Two actions from the palette; the first dragged below the second.
        page.locator(".palette-action[data-type=add_tags]").click()
        page.locator(".palette-action[data-type=set_fields]").click()
        actions = page.locator(".rule-actions > .rule-action")
        expect(actions).to_have_count(2)
        # Collapsed, both cards fit on the screen for the drag.
        for index in (0, 1):
            actions.nth(index).locator(".collapse-action").click()
        expect(actions.nth(0).locator(".settings-form")).to_be_hidden()
        designer.drag(actions.nth(0).locator(".drag-handle"), actions.nth(1))
        expect(actions.nth(0)).to_have_attribute("data-type", "set_fields")
        expect(actions.nth(1)).to_have_attribute("data-type", "add_tags")
        # ↑ ↓ do the same without a mouse.
        actions.nth(1).locator(".move-up").click()
        expect(actions.nth(0)).to_have_attribute("data-type", "add_tags")
        actions.nth(0).locator(".move-down").click()
        expect(actions.nth(0)).to_have_attribute("data-type", "set_fields")
        for index in (0, 1):
            actions.nth(index).locator(".collapse-action").click()
        expect(actions.nth(0).locator(".settings-form")).to_be_visible()

        values = actions.nth(0).locator("[data-setting=values]")
        pick_item(page, values.locator(".mapping-add .field-picker"), "data-field=status")
        values.locator(".add-mapping").click()
        pick(
            page,
            values.locator(".mapping-line[data-target=status] .literal-input"),
            texts["qualified"],
        )
        tags = actions.nth(1)
        pick_item(page, tags.locator("[data-setting=field] .field-picker"), "data-field=interests")

        # Publishing without the tags is refused; the error is pinned on the tags' editor.
        designer.expect_failure(422, "/api/apps/marketing/publish")
        page.click("#publish")
        expect(tags.locator("[data-setting=tags].has-error")).to_have_count(1)
        assert "/actions/1/tags" in designer.pinned_errors()
        pick(page, tags.locator("[data-setting=tags] .setting-list"), texts["cdp"])
        page.keyboard.press("Escape")

        # The test run on Li, writing nothing.
        page.click("#tab-test")
        pick_item(page, page.locator(".el-select:has(#test-record)"), f'data-record="{sample}"')
        page.click("#run-test")
        result = page.get_by_test_id("test-result")
        expect(result.locator(".test-holds")).to_have_attribute("data-holds", "true")
        expect(result.locator(".test-holds")).to_contain_text(texts["holds"])
        expect(result.locator(":scope > .test-parts > li")).to_have_count(2)
        expect(result.locator(".test-write")).to_have_count(1)
        expect(result.locator(".test-write")).to_contain_text('"qualified"')
        expect(result.locator(".test-write")).to_contain_text("cdp")

        page.click("#tab-design")
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])
        with platform.engine.connect() as conn:
            body = store.published(conn, "marketing", "rule", "hot_leads")
        assert body is not None
        assert body.body["trigger"] == {"on": "created"}
        assert body.body["condition"] == CONDITION
        assert body.body["actions"] == [
            {"type": "set_fields", "values": {"status": "qualified"}},
            {"type": "add_tags", "field": "interests", "tags": ["cdp"]},
        ]
        assert body.body["label"] == {"en": "Qualify hot leads", "zh": "热线索转 MQL"}

        # A lead created through the API; the worker runs the rule.
        token = page.evaluate(
            "() => JSON.parse(document.getElementById('designer-boot').textContent).csrf_token"
        )
        created = page.request.post(
            f"{live}/api/apps/marketing/entities/lead/records",
            data={"name": "Zhao", "score": 75, "source": "wechat", "status": "new"},
            headers={"X-CSRF-Token": token, "Origin": live},
        )
        assert created.status == 201, created.text()
        lead = created.json()["id"]
        RuleWorker(platform).drain()
        with platform.engine.connect() as conn:
            after = platform.apps.records(conn, "marketing").get(conn, "lead", lead)
        assert after["status"] == "qualified" and after["interests"] == ["cdp"]

        # The run log shows the run; the list shows the rule, on.
        page = designer.open("/design/apps/marketing/rules/hot_leads", lang)
        page.click("#tab-runs")
        run = page.locator(f".run-row[data-record='{lead}']")
        expect(run).to_have_attribute("data-status", "done")
        # A dead letter (the run stored dead) is replayed from the log.
        with begin_write(platform.engine) as conn:
            conn.execute(
                RuleRun.__table__.update()
                .where(RuleRun.record_id == lead)
                .values(status="dead", error="boom")
            )
        page.click("#reload-runs")
        dead = page.locator(".dead-letter")
        expect(dead).to_have_count(1)
        expect(dead).to_contain_text("boom")
        dead.locator(".replay").click()
        expect(dead).to_have_count(0)
        expect(page.locator(f".run-row[data-record='{lead}']")).not_to_have_attribute(
            "data-status", "dead"
        )

        # The list shows the rule, on; switched off there, it is off.
        page = designer.open("/design/apps/marketing/rules", lang)
        row = page.locator(".rule-row[data-rule=hot_leads]")
        expect(row.locator(".rule-enabled input")).to_be_checked()
        with page.expect_response(lambda r: r.url.endswith("/rules/hot_leads/enabled")) as put:
            row.locator(".rule-enabled").click()
        assert put.value.status == 200
        expect(row.locator(".rule-enabled input")).not_to_be_checked()
        with platform.engine.connect() as conn:
            assert runs.enabled(conn, "marketing", "hot_leads") is False
        expect(row.locator(".open-rule")).to_have_text(
            "Qualify hot leads" if lang == "en" else "热线索转 MQL"
        )
