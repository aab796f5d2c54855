"""The form designer in Chromium: from the entity designer's Forms area, open the lead's default
layout, add a section with 3 columns and a tab, drag a field into it from another section (a
real mouse drag), see it in the live preview (and at phone width), publish, and find the tab
with that field on the record page; in English and in Chinese, with no CSP violation or
console error."""

from __future__ import annotations

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {"tab": "Follow-up", "live": "is live", "phone": "Phone"},
    "zh": {"tab": "跟进信息", "live": "已上线", "phone": "手机"},
}
COLUMN_COUNT = "(el) => getComputedStyle(el).gridTemplateColumns.split(' ').length"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_new_tabbed_section_gets_a_dragged_field_previewed_and_published(
    live: str, lang: str
) -> None:
    texts = TEXTS[lang]
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/lead", lang)
        forms = page.locator(".forms-area")
        expect(forms.locator(".form-layout-row[data-layout=contact_us]")).to_be_visible()
        forms.locator(".form-layout-row[data-layout=default] .open-layout").click()
        expect(page).to_have_url(f"{live}/design/apps/marketing/entities/lead/forms/default")
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)

        sections = page.locator(".layout-section")
        before = sections.count()
        page.click("#add-section")
        expect(sections).to_have_count(before + 1)
        new = sections.nth(before)
        new.locator(".section-columns").select_option("3")
        new.locator(".section-tab-en").fill("Follow-up")
        new.locator(".section-tab-en").dispatch_event("change")
        new.locator(".section-tab-zh").fill("跟进信息")
        new.locator(".section-tab-zh").dispatch_event("change")
        expect(new.locator(".section-tab-badge")).to_be_visible()

        # A real drag: the description leaves the Notes section (just above) for the new one.
        page.set_viewport_size({"width": 1600, "height": 1200})
        notes = sections.nth(before - 1)
        new.locator(".section-fields").scroll_into_view_if_needed()
        source = notes.locator(".placed-field[data-name=description]")
        designer.drag(source.locator(".drag-handle"), new.locator(".section-fields"))
        expect(new.locator(".placed-field[data-name=description]")).to_have_count(1)
        expect(notes.locator(".placed-field[data-name=description]")).to_have_count(0)
        # The keyboard way: the phone moves there too with "Move to…".
        phone = sections.first.locator(".placed-field[data-name=phone]")
        phone.locator(".field-move-to").select_option(str(before))
        expect(new.locator(".placed-field")).to_have_count(2)
        expect(page.locator("html[data-unsaved=true]")).to_have_count(1)

        # The preview: the server's own form, with the tab holding the phone in 3 columns.
        frame = page.frame_locator("#form-preview")
        tab = frame.locator("[role=tab]", has_text=texts["tab"])
        expect(tab).to_be_visible()
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        panel = frame.locator("[role=tabpanel]:not([hidden])")
        expect(panel.locator("input[name=phone]")).to_be_visible()
        expect(panel.locator("textarea[name=description]")).to_be_visible()
        grid = panel.locator("[data-columns='3']")
        expect(grid).to_have_count(1)
        assert grid.evaluate(COLUMN_COUNT) == 3
        page.click(".preview-phone")
        expect(page.locator("#form-preview.phone")).to_have_count(1)
        page.wait_for_function("() => document.querySelector('#form-preview').offsetWidth === 375")
        assert grid.evaluate(COLUMN_COUNT) == 1  # one column at phone width
        page.click(".preview-zh" if lang == "en" else ".preview-en")
        other = "跟进信息" if lang == "en" else "Follow-up"
        expect(frame.locator("[role=tab]", has_text=other)).to_be_visible()

        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])
        saved = page.request.get(f"{live}/api/apps/marketing/documents/form/lead.default").json()
        assert saved["status"] == "published"
        last = saved["body"]["sections"][-1]
        assert last["fields"] == ["description", "phone"] and last["columns"] == 3
        assert last["tab"] == {"en": "Follow-up", "zh": "跟进信息"}

        csrf = page.evaluate(
            "JSON.parse(document.getElementById('designer-boot').textContent).csrf_token"
        )
        created = page.request.post(
            f"{live}/api/apps/marketing/entities/lead/records",
            data={
                "name": "Tab Lead",
                "source": "wechat",
                "status": "new",
                "phone": "13812345678",
                "description": "Wants a demo",
            },
            headers={"X-CSRF-Token": csrf, "Origin": live},
        )
        assert created.status == 201, created.text()
        page.goto(f"{live}/apps/marketing/lead/{created.json()['id']}?lang={lang}")
        record_tab = page.locator("[role=tab]", has_text=texts["tab"])
        expect(record_tab).to_have_attribute("aria-selected", "true")  # the only tab: open
        record_tab.focus()
        page.keyboard.press("End")
        expect(record_tab).to_be_focused()
        shown = page.locator("[role=tabpanel]:not([hidden])")
        expect(shown.locator("[data-field=phone]")).to_contain_text("13812345678")
        expect(shown.locator("[data-field=description]")).to_contain_text("Wants a demo")
        designer.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_forms_area_creates_duplicates_and_deletes_layouts(live: str, lang: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/contact", lang)
        page.fill("#new-form-name", "Bad Name")
        page.click("#create-form")
        expect(page.locator(".forms-message")).to_be_visible()
        page.fill("#new-form-name", "wide")
        page.click("#create-form")
        expect(page).to_have_url(f"{live}/design/apps/marketing/entities/contact/forms/wide")
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)

        # A new layout places nothing: every field waits in the list; drag one in, undo, redo.
        section = page.locator(".layout-section").first
        unplaced = page.locator(".unplaced-field")
        total = unplaced.count()
        assert total > 3
        first = unplaced.first
        name = first.get_attribute("data-name")
        designer.drag(first, section.locator(".section-fields"))
        expect(section.locator(f".placed-field[data-name={name}]")).to_have_count(1)
        expect(unplaced).to_have_count(total - 1)
        page.click("#undo")
        expect(section.locator(".placed-field")).to_have_count(0)
        page.click("#redo")
        expect(section.locator(f".placed-field[data-name={name}]")).to_have_count(1)
        # ... and one more with the keyboard: "+" adds to the chosen section.
        unplaced.first.locator(".add-to-section").click()
        expect(section.locator(".placed-field")).to_have_count(2)
        # Take it off again: back in the list.
        section.locator(".placed-field").nth(1).locator(".field-remove").click()
        expect(unplaced).to_have_count(total - 1)
        page.click("#save-draft")
        expect(page.locator("html[data-unsaved=true]")).to_have_count(0)

        page.goto(f"{live}/design/apps/marketing/entities/contact?lang={lang}")
        rows = page.locator(".form-layout-row")
        expect(rows.locator("xpath=self::*[@data-layout='wide']")).to_have_count(1)
        page.fill("#copy-form-name", "wide_two")
        page.locator(".form-layout-row[data-layout=wide] .duplicate-layout").click()
        expect(page).to_have_url(f"{live}/design/apps/marketing/entities/contact/forms/wide_two")
        copied = page.locator(".layout-section").first.locator(".placed-field")
        expect(copied).to_have_count(1)

        page.goto(f"{live}/design/apps/marketing/entities/contact?lang={lang}")
        expect(page.locator(".form-layout-row[data-layout=default] .delete-layout")).to_have_count(
            0
        )
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(".form-layout-row[data-layout=wide_two] .delete-layout").click()
        expect(page.locator(".form-layout-row[data-layout=wide_two]")).to_have_count(0)
        gone = page.request.get(f"{live}/api/apps/marketing/documents/form/contact.wide_two")
        assert gone.status == 404
        designer.expect_failure(404, "/api/apps/marketing/documents/form/contact.wide_two")
        designer.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_publish_errors_are_pinned_to_the_field_they_name(live: str, lang: str) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/lead/forms/default", lang)
        boot = page.evaluate("JSON.parse(document.getElementById('designer-boot').textContent)")
        body = boot["document"]
        body["sections"][0]["fields"].insert(0, "ghost")  # a field the entity does not have
        body["sections"][1]["fields"].append("name")  # already in the first section
        saved = page.request.put(
            f"{live}/api/apps/marketing/documents/form/lead.default",
            data=body,
            headers={"X-CSRF-Token": boot["csrf_token"], "Origin": live},
        )
        assert saved.status == 200, saved.text()
        page.reload()
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        expect(page.locator(".placed-field[data-name=ghost]")).to_have_count(1)
        designer.expect_failure(422, "/api/apps/marketing/publish")
        page.click("#publish")
        last = len(body["sections"][1]["fields"]) - 1
        ghost, twice = "/sections/0/fields/0", f"/sections/1/fields/{last}"
        page.wait_for_selector(f".pinned.has-error[data-pointer='{twice}']")
        pinned = designer.pinned_errors()
        assert "ghost" in " ".join(pinned[ghost])
        assert "already placed at /sections/0/fields/2" in " ".join(pinned[twice])
        # Fixing it: the ghost goes (×), the second "name" too; publishing then works.
        page.locator(".layout-section").first.locator(
            ".placed-field[data-name=ghost] .field-remove"
        ).click()
        page.locator(".layout-section").nth(1).locator(
            ".placed-field[data-name=name] .field-remove"
        ).click()
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(
            "is live" if lang == "en" else "已上线"
        )
        live_doc = page.request.get(f"{live}/api/apps/marketing/documents/form/lead.default")
        sections = live_doc.json()["body"]["sections"]
        assert sections[0]["fields"][:2] == ["code", "name"]  # only the second place went
        assert "name" not in sections[1]["fields"] and "ghost" not in sections[0]["fields"]
        designer.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fields_dragged_into_brand_new_empty_sections_always_land(live: str, lang: str) -> None:
    """The drop zone of an empty section (its whole box, hint included) takes a real drag, time
    after time: five new sections in a row, one field dragged into each from the list."""
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/contact/forms/default", lang)
        page.set_viewport_size({"width": 1600, "height": 1200})
        sections = page.locator(".layout-section")
        # Every field back in the list, so the list has plenty to drag.
        for _ in range(sections.count()):
            sections.first.locator(".remove-section").click()
        expect(sections).to_have_count(0)
        unplaced = page.locator(".unplaced-field")
        total = unplaced.count()
        assert total >= 5
        for n in range(5):
            page.click("#add-section")
            expect(sections).to_have_count(n + 1)
            new = sections.nth(n)
            zone = new.locator(".section-fields")
            expect(zone).to_have_attribute("data-empty", "true")
            expect(zone.locator(".drop-hint")).to_be_visible()
            zone.scroll_into_view_if_needed()
            source = unplaced.first
            name = source.get_attribute("data-name")
            designer.drag(source.locator(".drag-handle"), zone.locator(".drop-hint"), settle=True)
            expect(new.locator(f".placed-field[data-name={name}]")).to_have_count(1)
            expect(zone).to_have_attribute("data-empty", "false")
            expect(zone.locator(".drop-hint")).to_have_count(0)
            expect(unplaced).to_have_count(total - n - 1)
        placed = page.evaluate(
            "[...document.querySelectorAll('.layout-section')].map("
            "(s) => [...s.querySelectorAll('.placed-field')].map((f) => f.dataset.name))"
        )
        assert [len(names) for names in placed] == [1, 1, 1, 1, 1]
        page.click("#undo")  # one drag, one step
        expect(sections.nth(4).locator(".placed-field")).to_have_count(0)
        expect(unplaced).to_have_count(total - 4)
        designer.assert_clean()


PREVIEW_TEXTS = {"en": "Budget note", "zh": "预算说明"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_field_of_the_entity_draft_placed_on_the_layout_shows_in_the_preview(
    live: str, lang: str
) -> None:
    """The entity designer's draft (a field added, not published) is what the preview draws."""
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/entities/lead/forms/default", lang)
        csrf = page.evaluate(
            "JSON.parse(document.getElementById('designer-boot').textContent).csrf_token"
        )
        url = f"{live}/api/apps/marketing/documents/entity/lead"
        entity = page.request.get(url).json()["body"]
        entity["fields"].append(
            {
                "name": "budget_note",
                "type": "text",
                "label": {"en": "Budget note", "zh": "预算说明"},
            }
        )
        saved = page.request.put(url, data=entity, headers={"X-CSRF-Token": csrf, "Origin": live})
        assert saved.status == 200, saved.text()
        page = designer.open("/design/apps/marketing/entities/lead/forms/default", lang)
        page.set_viewport_size({"width": 1600, "height": 1200})
        expect(page.locator(".open-in-app")).to_have_attribute("href", "/apps/marketing/lead/new")
        field = page.locator(".unplaced-field[data-name=budget_note]")
        expect(field).to_contain_text(PREVIEW_TEXTS[lang])
        first = page.locator(".layout-section").first
        first.locator(".section-fields").scroll_into_view_if_needed()
        designer.drag(field.locator(".drag-handle"), first.locator(".placed-field").first)
        expect(first.locator(".placed-field[data-name=budget_note]")).to_have_count(1)
        frame = page.frame_locator("#form-preview")
        expect(frame.locator("input[name=budget_note]")).to_be_visible()
        expect(frame.locator("label", has_text=PREVIEW_TEXTS[lang])).to_have_count(1)
        designer.assert_clean()
