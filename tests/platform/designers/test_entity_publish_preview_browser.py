"""The entity designer's publish preview in Chromium, in English and in Chinese: a text field
some of whose values are not numbers is changed to a number; the preview lists those records
(id, title, value, why) and Publish stays disabled, and the server refuses the publish too;
ticking "archive the old column" publishes it, the values that convert converted and the others
kept in the archived column. No CSP violation, console or HTTP error on the way."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

from jimu.errors import ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
TEXTS = {
    "en": {"number": "Number", "live": "is live", "counts": "1 values convert, 2 do not"},
    "zh": {"number": "数字", "live": "已上线", "counts": "1 个值可以转换，2 个不能"},
}
VISIT = {
    "kind": "entity",
    "name": "visit",
    "label": {"en": "Visit", "zh": "到访"},
    "title_field": "visitor",
    "fields": [
        {"name": "visitor", "type": "text", "label": {"en": "Visitor", "zh": "访客"}},
        {"name": "badge", "type": "text", "label": {"en": "Badge", "zh": "胸牌"}},
    ],
}


def publish_visits(platform: Platform) -> list[int]:
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "entity", "visit", VISIT)
        store.publish(conn, "marketing", "entity", "visit")
    platform.apps.forget("marketing")
    rows = [
        {"visitor": "Ann", "badge": "12"},
        {"visitor": "Bo", "badge": "A-7"},
        {"visitor": "Cy"},
        {"visitor": "Di", "badge": "guest"},
    ]
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        return [
            int(records.create(conn, "visit", r, WriteContext(actor_id=None))["id"]) for r in rows
        ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_conversion_failing_on_some_rows_is_shown_refused_then_archived(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    ann, bo, cy, di = publish_visits(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/visit", lang)
        page.locator(".field-row[data-name=badge] .field-label").click()
        page.locator("#field-type").select_option(label=texts["number"])
        page.click("#publish")

        preview = page.get_by_test_id("publish-preview")
        conversion = preview.locator(".preview-conversion[data-field=badge]")
        expect(conversion).to_have_class("preview-conversion failing")
        expect(conversion.locator(".conversion-counts")).to_have_text(texts["counts"])
        rows = conversion.locator(".failed-rows tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0).locator("td").nth(0)).to_have_text(str(bo))
        expect(rows.nth(0).locator("td").nth(1)).to_have_text("Bo")
        expect(rows.nth(0).locator(".row-value")).to_have_text("A-7")
        expect(rows.nth(1).locator("td").nth(1)).to_have_text("Di")
        expect(rows.nth(1).locator(".row-value")).to_have_text("guest")
        expect(preview.locator(".preview-refused")).to_be_visible()
        expect(page.locator("#preview-publish")).to_be_disabled()

        # The draft is saved: the server refuses to publish it without the archive too.
        with begin_write(platform.engine) as conn, pytest.raises(ValidationFailed) as refused:
            store.publish(conn, "marketing", "entity", "visit")
        assert refused.value.errors[0].pointer == "/entities/visit/fields/1/type"

        conversion.locator(".archive-old").check()
        expect(conversion.locator(".archived-as")).to_contain_text("_archived_badge_1")
        expect(preview.locator(".preview-refused")).to_have_count(0)
        expect(page.locator("#preview-publish")).to_be_enabled()
        page.click("#preview-publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])

    with platform.engine.connect() as conn:
        live_doc = store.published(conn, "marketing", "entity", "visit")
        assert live_doc is not None and live_doc.body["fields"][1]["type"] == "number"
        query = "SELECT id, badge, _archived_badge_1 FROM marketing_visit ORDER BY id"
        stored = {r[0]: (r[1], r[2]) for r in conn.execute(sa.text(query))}
        (archived,) = store.archived_columns(conn, "marketing", "visit")
    assert stored == {
        ann: (12, "12"),
        bo: (None, "A-7"),
        cy: (None, None),
        di: (None, "guest"),
    }
    assert archived["field"] == "badge" and archived["definition"]["type"] == "text"
