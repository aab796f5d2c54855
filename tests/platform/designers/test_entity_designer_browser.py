"""The entity designer in Chromium: a real drag from the palette onto the canvas (the plugin's
type included), the property panel, reordering, and a new entity published; in English and in
Chinese, with no CSP violation or console error."""

from __future__ import annotations

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {"text": "Single-line text", "cn_id": "Chinese ID number", "live": "is live"},
    "zh": {"text": "单行文本", "cn_id": "身份证号", "live": "已上线"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dragging_field_types_onto_the_canvas_then_publishing_a_new_entity(
    live: str, lang: str
) -> None:
    texts = TEXTS[lang]
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing", lang)
        page.fill("#new-entity-name", "visit")
        page.click("#new-entity")
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        expect(page).to_have_url(f"{live}/design/apps/marketing/entities/visit")
        canvas = page.locator(".field-canvas")
        rows = canvas.locator(".field-row")
        expect(rows).to_have_count(0)
        plugin = page.locator(".palette-item[data-type=cn_id]")
        expect(plugin.locator(".palette-label")).to_have_text(texts["cn_id"])

        designer.drag(page.locator(".palette-item[data-type=text]"), canvas)
        expect(rows).to_have_count(1)
        expect(rows.first.locator(".field-type")).to_have_text(texts["text"])
        expect(page.locator("#field-name")).to_have_value("text_1")
        page.fill("#field-label-en", "Visitor")
        page.fill("#field-label-zh", "访客")
        page.check("#field-required")

        page.fill("#palette-search", texts["cn_id"])
        expect(page.locator(".palette-item")).to_have_count(1)
        designer.drag(plugin, canvas)
        expect(rows).to_have_count(2)
        expect(rows.nth(1).locator(".field-type")).to_have_text(texts["cn_id"])
        # The plugin's declared editor (its "mask" param is a boolean: a checkbox).
        page.check("#param-mask")

        page.fill("#palette-search", "")
        page.click(".add-field[data-type=select]")
        expect(rows).to_have_count(3)
        page.click("#add-option")
        page.locator(".option-en").first.fill("Walk-in")
        page.locator(".option-en").first.dispatch_event("change")

        # Reorder with a real drag: the text field moves below the ID number.
        designer.drag(rows.first.locator(".drag-handle"), rows.nth(1))
        expect(rows.first).to_have_attribute("data-name", "cn_id_1")
        expect(rows.nth(1)).to_have_attribute("data-name", "text_1")
        expect(page.locator("html[data-unsaved=true]")).to_have_count(1)

        page.fill("#entity-label-en", "Visit")
        page.fill("#entity-label-zh", "到访")
        page.locator("#entity-label-zh").dispatch_event("change")
        page.click("#publish")
        # The preview shows the schema change first: a new table.
        preview = page.get_by_test_id("publish-preview")
        expect(preview.locator(".preview-steps")).to_contain_text("create table marketing_visit")
        page.click("#preview-publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])

        saved = page.request.get(f"{live}/api/apps/marketing/documents/entity/visit").json()
        assert saved["status"] == "published"
        body = saved["body"]
        assert body["label"] == {"en": "Visit", "zh": "到访"}
        assert [f["name"] for f in body["fields"]] == ["cn_id_1", "text_1", "select_1"]
        cn_id, text, select = body["fields"]
        assert select["options"] == [{"value": "option_1", "label": {"en": "Walk-in"}}]
        assert text["label"] == {"en": "Visitor", "zh": "访客"} and text["required"] is True
        assert cn_id["mask"] is True


def test_a_refused_draft_pins_the_error_at_the_field(live: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/visit", "en")
        page.click(".add-field[data-type=select]")
        page.fill("#field-name", "Bad Name")
        page.locator("#field-name").dispatch_event("change")
        designer.expect_failure(422, "/api/apps/marketing/documents/entity/visit")
        page.click("#save-draft")
        expect(page.locator(".pinned.has-error[data-pointer='/fields/0/name']")).to_have_count(1)
        errors = designer.pinned_errors()
        assert "/fields/0/name" in errors, errors
        assert "/fields/0/options" in errors or "/fields/0" in errors, errors
