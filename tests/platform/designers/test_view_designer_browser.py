"""The view designer in Chromium, in English and in Chinese: columns picked with the field
picker (a system field among them), one REALLY dragged to the front, a width, a default filter
built with the condition builder, a sort, the form layout its "New" button opens; published,
the record list follows the view (column order, width, filter, the layout of "New"). No CSP
violation, console or HTTP error on the way."""

from __future__ import annotations

import re

import pytest
from designer_harness import open_browser, open_options, pick, pick_field
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
TEXTS = {
    "en": {"in": "is one of", "contacted": "Contacted", "live": "is live", "owner": "Owner"},
    "zh": {"in": "属于", "contacted": "已联系", "live": "已上线", "owner": "负责人"},
}
QUICK_LABEL = {"en": "Quick entry", "zh": "快速录入"}
QUICK = {
    "kind": "form",
    "entity": "lead",
    "name": "quick",
    "label": QUICK_LABEL,
    "sections": [{"title": {"en": "Essentials", "zh": "要点"}, "fields": ["name", "source"]}],
}
HEADS = {"en": ["Owner", "Name", "Score↑"], "zh": ["负责人", "姓名", "线索评分↑"]}


def publish_quick_layout(platform: Platform) -> None:
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "form", "lead.quick", QUICK)
        store.publish(conn, "marketing", "form", "lead.quick")


def add_leads(platform: Platform) -> None:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        for name, status, score in (("Li", "contacted", 90), ("Wang", "new", 10)):
            body = {"name": name, "status": status, "source": "wechat", "score": score}
            records.create(conn, "lead", body, WriteContext(actor_id=None))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_view_designed_with_a_dragged_column_shapes_the_record_list(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    add_leads(platform)
    publish_quick_layout(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/views/lead/contacted", lang)
        page.locator("#view-label-en").fill("Contacted leads")
        page.locator("#view-label-zh").fill("已联系线索")
        adder = page.locator(".view-add-column")
        for name in ("name", "owner_id", "score"):
            pick_field(page, adder, name)
            page.click("#add-column")
        rows = page.locator(".view-columns > .view-column")
        expect(rows).to_have_count(3)
        # A real drag: the name below the owner (a system field).
        designer.drag(rows.first.locator(".drag-handle"), rows.nth(1))
        expect(rows.first).to_have_attribute("data-field", "owner_id")
        expect(rows.nth(1)).to_have_attribute("data-field", "name")
        expect(rows.nth(2)).to_have_attribute("data-field", "score")
        # The buttons do the same without a mouse: score up, then back down.
        rows.nth(2).locator(".move-up").click()
        expect(rows.nth(1)).to_have_attribute("data-field", "score")
        rows.nth(1).locator(".move-down").click()
        expect(rows.nth(1)).to_have_attribute("data-field", "name")
        expect(rows.nth(2)).to_have_attribute("data-field", "score")
        rows.nth(1).locator(".column-width input").fill("240")
        rows.nth(1).locator(".column-width input").blur()
        # The default filter: Status is one of Contacted.
        root = page.locator("#view-filter .condition-group.is-root")
        root.locator(":scope > .group-head .add-rule").click()
        row = root.locator(":scope > .group-children > li.condition-node").first
        pick_field(page, row, "status")
        pick(page, row.locator(".operator-picker"), texts["in"])
        pick(page, row.locator(".value-choices"), texts["contacted"])
        page.keyboard.press("Escape")
        pick_field(page, page.locator("#view-sort"), "score")
        # The layout its "New" button and record links open (public forms are not offered).
        options = open_options(page, page.locator(".view-form-picker"))
        expect(options).to_have_count(2)  # the standard layout and the quick one
        page.keyboard.press("Escape")
        expect(page.locator(".view-form-picker input[role=combobox]")).to_have_attribute(
            "aria-expanded", "false"
        )
        pick(page, page.locator(".view-form-picker"), QUICK_LABEL[lang])
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])

        with platform.engine.connect() as conn:
            body = store.get(conn, "marketing", "view", "lead.contacted").body
        assert body["columns"] == [
            {"field": "owner_id"},
            {"field": "name", "width": 240},
            {"field": "score"},
        ]
        assert body["filter"] == {"in_list": [{"var": "status"}, ["contacted"]]}
        assert body["sort"] == ["score"]
        assert body["form"] == "quick"

        page.goto(f"{live}/apps/marketing/lead?lang={lang}")
        page.select_option("#view-switcher select", "contacted")
        page.wait_for_url(re.compile(r"view=contacted"))
        heads = page.locator("#records thead th:not(.actions):not(.select)")
        expect(heads).to_have_text(HEADS[lang])
        expect(heads.nth(1)).to_have_attribute("style", "width:240px")
        expect(page.locator("#records tbody tr")).to_have_count(1)
        expect(page.locator("#records tbody tr").first).to_contain_text("Li")
        # "New" opens the quick layout: only its section, its fields.
        page.click("#new-record")
        page.wait_for_url(re.compile(r"/new\?form=quick"))
        expect(page.locator("form[data-record-form] input[name=name]")).to_be_visible()
        expect(page.locator("form[data-record-form] [name=company]")).to_have_count(0)
        expect(page.locator("form[data-record-form]")).to_contain_text(
            "Essentials" if lang == "en" else "要点"
        )
        page.fill("form[data-record-form] input[name=name]", "Quick Lead")
        page.select_option("form[data-record-form] select[name=source]", "wechat")
        page.click("form[data-record-form] button[type=submit]")
        page.wait_for_url(re.compile(r"/lead/\d+\?form=quick&notice=created"))
        # The record page keeps the layout and offers the others.
        switcher = page.locator("#layout-switcher")
        expect(switcher.locator("[aria-current=page]")).to_have_text(QUICK_LABEL[lang])
        expect(page.locator("[data-field=company]")).to_have_count(0)
        switcher.locator("a[data-layout=default]").click()
        page.wait_for_url(re.compile(r"/lead/\d+$"))
        expect(page.locator("[data-field=company]")).to_have_count(1)
        expect(page.locator("#layout-switcher [aria-current=page]")).to_have_attribute(
            "data-layout", "default"
        )
