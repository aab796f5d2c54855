"""The formula editor of the entity designer in Chromium, in English and in Chinese: errors
as you type (syntax with line and column, an unknown field), a function and a field inserted
at the cursor from the lists, and the live value on a sample record. No CSP violation,
console or HTTP error on the way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
TEXTS = {
    "en": {"syntax": "Line 1, column 14", "ok": "it gives a text"},
    "zh": {"syntax": "第 1 行第 14 列", "ok": "结果类型为 文本"},
}
VISIT = {
    "kind": "entity",
    "name": "visit",
    "label": {"en": "Visit", "zh": "到访"},
    "fields": [
        {"name": "visitor", "type": "text", "label": {"en": "Visitor", "zh": "访客"}},
        {"name": "badge", "type": "text", "label": {"en": "Badge", "zh": "胸牌"}},
    ],
}


def publish_a_visit(platform: Platform) -> int:
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "entity", "visit", VISIT)
        store.publish(conn, "marketing", "entity", "visit")
    platform.apps.forget("marketing")
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        body = {"visitor": "Ann", "badge": "12"}
        return int(records.create(conn, "visit", body, WriteContext(actor_id=None))["id"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_formula_editor_checks_inserts_and_computes(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    ann = publish_a_visit(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/visit", lang)
        page.click(".add-field[data-type=formula]")
        formula = page.locator("#param-formula")
        status = page.get_by_test_id("formula-status")

        formula.press_sequentially("UPPER(visitor")
        expect(status.locator("li[data-code=formula_syntax]")).to_contain_text(texts["syntax"])
        formula.fill("visitr")
        formula.dispatch_event("input")
        expect(status.locator("li[data-code=unknown_field]")).to_contain_text("visitor")

        formula.fill("")
        formula.dispatch_event("input")
        page.locator(".formula-functions summary").click()
        page.fill("#formula-function-search", "concat")
        expect(page.locator(".insert-function")).to_have_count(1)
        page.locator(".insert-function[data-name=CONCAT]").click()
        expect(formula).to_have_value("CONCAT()")
        page.locator(".formula-fields summary").click()
        page.locator(".insert-field[data-name=visitor]").click()
        expect(formula).to_have_value("CONCAT(visitor)")
        # The cursor is after the inserted field: typing goes on inside the parentheses.
        page.keyboard.type(', "-", badge')
        expect(formula).to_have_value('CONCAT(visitor, "-", badge)')
        expect(status.locator(".formula-ok")).to_contain_text(texts["ok"])

        page.fill("#formula-record", str(ann))
        page.locator("#formula-record").dispatch_event("change")
        expect(status.locator(".formula-value")).to_contain_text('"Ann-12"')
        formula.dispatch_event("change")
        page.click("#save-draft")
        expect(page.locator("html[data-unsaved=true]")).to_have_count(0)

    with platform.engine.connect() as conn:
        saved = store.get(conn, "marketing", "entity", "visit")
    assert saved.body["fields"][2]["formula"] == 'CONCAT(visitor, "-", badge)'


def test_the_autonumber_pattern_previews_the_next_numbers(live: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/visit", "zh")
        page.click(".add-field[data-type=autonumber]")
        pattern = page.locator("#param-pattern")
        preview = page.get_by_test_id("autonumber-preview")
        pattern.fill("V-{YYYY}-{000}")
        pattern.dispatch_event("change")
        year = datetime.now(UTC).year
        expect(preview).to_have_text(f"接下来的编号：V-{year}-001, V-{year}-002, V-{year}-003")
        pattern.fill("V-{00")
        pattern.dispatch_event("change")
        expect(preview.locator(".autonumber-error")).to_contain_text("{0000}")
