"""The lookup and rollup pickers of the entity designer in Chromium, in English and in Chinese:
a lookup and a rollup dragged from the palette onto an entity, set with their pickers (the
links of this entity, the fields of the linked one with their types; the entities linking
here, a draft one included, through which link, the aggregate and only the fields it takes, a
filter with the condition builder), a server error pinned at the picker, then published and
their values seen on a record page. No CSP violation, console or HTTP error on the way."""

from __future__ import annotations

from typing import Any

import pytest
from designer_harness import open_browser, pick_field
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
APP = "marketing"
TEXTS = {
    "en": {
        "city": "City · Single-line text",
        "amount": "Amount · Money",
        "draft": "Note (draft)",
        "sum": "Sum",
        "live": "is live",
        "required": "is required",
    },
    "zh": {
        "city": "城市 · 单行文本",
        "amount": "金额 · 金额",
        "draft": "备注 (草稿)",
        "sum": "求和",
        "live": "已上线",
        "required": "is required",
    },
}


def label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def entity(name: str, en: str, zh: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "entity", "name": name, "label": label(en, zh), "fields": list(fields)}


CLUB = entity(
    "club",
    "Club",
    "俱乐部",
    {"name": "title", "type": "text", "label": label("Title", "名称")},
    {"name": "city", "type": "text", "label": label("City", "城市")},
)
MEMBER = entity(
    "member",
    "Member",
    "会员",
    {"name": "nick", "type": "text", "label": label("Nick", "昵称")},
    {"name": "club", "type": "link", "target": "club", "label": label("Club", "俱乐部")},
)
PAYMENT = entity(
    "payment",
    "Payment",
    "付款",
    {"name": "member", "type": "link", "target": "member", "label": label("Member", "会员")},
    {"name": "amount", "type": "money", "scale": 2, "label": label("Amount", "金额")},
    {"name": "memo", "type": "text", "label": label("Memo", "备注")},
)
#: Never published: the rollup picker offers it all the same.
NOTE = entity(
    "note",
    "Note",
    "备注",
    {"name": "member", "type": "link", "target": "member", "label": label("Member", "会员")},
)


def set_up(platform: Platform) -> int:
    """The three entities published with a member of a club and two payments; a draft note."""
    with begin_write(platform.engine) as conn:
        for doc in (CLUB, MEMBER, PAYMENT):
            store.save_draft(conn, APP, "entity", doc["name"], doc)
        store.publish(conn, APP, "entity")
        store.save_draft(conn, APP, "entity", "note", NOTE)
    platform.apps.forget(APP)
    context = WriteContext(actor_id=None)
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, APP)
        club = records.create(conn, "club", {"title": "Rowers", "city": "Hangzhou"}, context)
        member = records.create(conn, "member", {"nick": "Ann", "club": club["id"]}, context)
        for amount, memo in (("100.25", "dues"), ("50.50", "fine"), ("7.00", "dues")):
            payment = {"member": member["id"], "amount": amount, "memo": memo}
            records.create(conn, "payment", payment, context)
        return int(member["id"])


def names(page: Page) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        ".field-canvas .field-row", "(rows) => rows.map((r) => r.dataset.name)"
    )
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lookup_and_rollup_set_with_their_pickers_show_on_the_record_page(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    ann = set_up(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open(f"/design/apps/{APP}/entities/member", lang)
        canvas = page.locator(".field-canvas")
        rows = canvas.locator(".field-row")
        expect(rows).to_have_count(2)

        # A lookup: the club's city, through the "club" link.
        page.fill("#palette-search", "lookup")  # the type's name (the palette is long)
        designer.drag(page.locator(".palette-item[data-type=lookup]"), canvas)
        expect(rows).to_have_count(3)
        page.fill("#field-name", "club_city")
        page.locator("#field-name").dispatch_event("change")
        page.select_option("#lookup-link", "club")
        city = page.locator("#lookup-field option[value=city]")
        expect(city).to_have_text(texts["city"])
        # Saved with the link chosen and no field yet: the server's error shows at the picker.
        designer.expect_failure(422, f"/api/apps/{APP}/documents/entity/member")
        page.click("#save-draft")
        at = names(page).index("club_city")  # where the drop put it
        at_field = page.locator(f".pinned[data-pointer='/fields/{at}/field'] .pinned-error")
        expect(at_field).to_have_count(1)
        assert designer.pinned_errors() == {f"/fields/{at}/field": [texts["required"]]}
        page.select_option("#lookup-field", "city")

        # A rollup: the sum of the amounts of the payments linking here through "member".
        page.fill("#palette-search", "rollup")  # the type's name (the palette is long)
        designer.drag(page.locator(".palette-item[data-type=rollup]"), canvas)
        expect(rows).to_have_count(4)
        page.fill("#field-name", "paid")
        page.locator("#field-name").dispatch_event("change")
        sources = page.locator("#rollup-entity option")
        expect(sources.filter(has_text=texts["draft"])).to_have_count(1)  # a draft entity
        expect(page.locator("#rollup-entity option[value=club]")).to_have_count(0)
        page.select_option("#rollup-entity", "payment")
        expect(page.locator("#rollup-link")).to_have_value("member")  # the one way back
        page.select_option("#rollup-function", "sum")
        expect(page.locator("#rollup-function option:checked")).to_have_text(texts["sum"])
        # A sum takes numbers only: the amount, not the memo (a text).
        offered = page.locator("#rollup-field option:not([value=''])")
        expect(offered).to_have_count(1)
        expect(offered).to_have_text(texts["amount"])
        page.select_option("#rollup-field", "amount")
        # The payment is published: its filter is the shared condition builder. Only the dues.
        root = page.locator(".rollup-picker .condition-group.is-root")
        root.locator(":scope > .group-head .add-rule").click()
        row = root.locator(":scope > .group-children > li.condition-node").first
        pick_field(page, row, "memo")
        value = row.locator(".value-text input")
        value.fill("dues")
        value.blur()
        expect(page.locator(".rollup-picker .condition-builder")).to_have_attribute(
            "data-json", '{"==":[{"var":"memo"},"dues"]}'
        )

        page.click("#publish")
        preview = page.get_by_test_id("publish-preview")
        expect(preview.locator(".preview-steps")).to_contain_text("club_city")
        page.click("#preview-publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])

        saved = page.request.get(f"{live}/api/apps/{APP}/documents/entity/member").json()
        fields = {f["name"]: f for f in saved["body"]["fields"]}
        assert fields["club_city"] == {
            "name": "club_city",
            "type": "lookup",
            "label": fields["club_city"]["label"],
            "link": "club",
            "field": "city",
        }
        assert {k: fields["paid"].get(k) for k in ("entity", "link", "function", "field")} == {
            "entity": "payment",
            "link": "member",
            "function": "sum",
            "field": "amount",
        }
        assert fields["paid"]["filter"] == {"==": [{"var": "memo"}, "dues"]}

        page.goto(f"{live}/apps/{APP}/member/{ann}?lang={lang}")
        main = page.locator("main")
        expect(main).to_contain_text("Hangzhou")
        expect(main).to_contain_text("107.25")  # the dues: 100.25 + 7.00, not the fine
