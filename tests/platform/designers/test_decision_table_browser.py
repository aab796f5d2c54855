"""The decision table designer in Chromium, in English and in Chinese: a small lead-scoring
table built in the grid (an input picked with the field picker, cells edited in place, the
output renamed), a row REALLY dragged to another place, a duplicated row whose overlap the
server pins to it (a unique table), deleted again; published; "try it" on a touchpoint
highlights the row that gave its points. No CSP violation, console or HTTP error on the way."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
TEXTS = {
    "en": {
        "form_submit": "Form submit",
        "download": "Content download",
        "event_checkin": "Event check-in",
        "unique": "Unique",
        "live": "is live",
    },
    "zh": {
        "form_submit": "提交表单",
        "download": "下载资料",
        "event_checkin": "活动签到",
        "unique": "唯一命中",
        "live": "已上线",
    },
}


def pick(page: Page, select: Locator, option: str) -> None:
    select.click()
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    # The popper that is open now (an earlier select's may still be fading out).
    options = page.locator('.el-popper[aria-hidden="false"] .el-select-dropdown__item')
    options.filter(has_text=exact).first.click()
    expect(page.locator('.el-popper[aria-hidden="false"] .el-select-dropdown')).to_have_count(0)


def add_touchpoint(platform: Platform, kind: str) -> int:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        body = {"type": kind, "occurred_at": datetime(2026, 1, 5, 9, tzinfo=UTC).isoformat()}
        return int(records.create(conn, "activity", body, WriteContext(actor_id=None))["id"])


def fill_row(page: Page, row: Locator, option: str, points: int) -> None:
    row.locator(".cell-kind").select_option("equals")
    pick(page, row.locator(".value-choice"), option)
    number = row.locator(".output-number input")
    number.fill(str(points))
    number.blur()


def points_column(page: Page) -> list[str]:
    rows = page.locator(".dtable-row .output-number input")
    return [rows.nth(i).input_value() for i in range(rows.count())]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_scoring_table_built_in_the_grid_publishes_and_tries(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    download = add_touchpoint(platform, "download")
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/decision-tables", lang)
        page.locator("#new-table-name").fill("touch_points")
        page.locator("#new-table-entity").select_option("activity")
        page.click("#new-table")
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        page.locator("#table-label-en").fill("Lead scoring")
        page.locator("#table-label-zh").fill("线索评分")
        name = page.locator(".output-head .output-name")
        name.fill("points")
        name.dispatch_event("change")
        page.locator(".dtable-add .field-picker").first.click()
        page.locator(".el-select-dropdown__item[data-field=type]:visible").click()
        page.click("#add-input")
        expect(page.locator(".input-head")).to_have_count(1)
        page.locator("#hit-policy").get_by_text(texts["unique"]).click()
        rows = page.locator(".dtable-row")
        for option, points in (
            (texts["form_submit"], 20),
            (texts["download"], 15),
            (texts["event_checkin"], 25),
        ):
            page.click("#add-row")
            fill_row(page, rows.last, option, points)
        expect(rows).to_have_count(3)
        assert points_column(page) == ["20", "15", "25"]

        # A real drag: the first row (form submit) below the second.
        designer.drag(rows.first.locator(".row-handle"), rows.nth(1))
        expect(rows.first.locator(".output-number input")).to_have_value("15")
        assert points_column(page) == ["15", "20", "25"]

        # A duplicate overlaps its original in a unique table: the server pins it to the row.
        rows.first.locator(".row-duplicate").click()
        expect(rows).to_have_count(4)
        expect(page.locator('.pinned.has-error[data-pointer="/rows/1"]')).to_have_count(1)
        assert "overlaps /rows/0" in designer.pinned_errors()["/rows/1"][0]
        rows.nth(1).locator(".row-delete").click()
        expect(rows).to_have_count(3)
        expect(page.locator(".pinned.has-error")).to_have_count(0)

        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])
        with platform.engine.connect() as conn:
            body = store.get(conn, "marketing", "decision_table", "touch_points").body
        assert body["hit_policy"] == "unique"
        assert body["inputs"] == [{"field": "type"}]
        assert body["outputs"] == [{"name": "points", "type": "number"}]
        assert [(r["cells"], r["outputs"]) for r in body["rows"]] == [
            ([{"==": [{"var": "type"}, "download"]}], [15]),
            ([{"==": [{"var": "type"}, "form_submit"]}], [20]),
            ([{"==": [{"var": "type"}, "event_checkin"]}], [25]),
        ]

        page.locator("#try-record").select_option(str(download))
        page.click("#try-run")
        expect(page.get_by_test_id("used-rows")).to_have_text("1")
        expect(page.locator('.try-outputs dd[data-output="points"]')).to_have_text("15")
        expect(rows.first).to_have_class(re.compile(r"\brow-used\b"))
        expect(rows.nth(1)).not_to_have_class(re.compile(r"\brow-matched\b"))

        # The app designer links to the list, which lists the new table.
        page.goto(f"{live}/design/apps/marketing?lang={lang}")
        page.click("#design-decision-tables")
        expect(page.locator('tr[data-table="touch_points"]')).to_contain_text(
            "Lead scoring" if lang == "en" else "线索评分"
        )


def test_columns_move_and_a_collect_table_sums_in_try_it(live: str, platform: Platform) -> None:
    """The marketing app's lead scoring turned into a collect/sum table with a second input
    (moved to the front with its button), a formula input added and removed again; try it on
    the unsaved grid sums the two matching rows."""
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        body = {
            "type": "download",
            "duration_seconds": 120,
            "occurred_at": datetime(2026, 1, 5, 9, tzinfo=UTC).isoformat(),
        }
        touchpoint = int(records.create(conn, "activity", body, WriteContext(actor_id=None))["id"])
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/decision-tables/lead_scoring", "en")
        rows = page.locator(".dtable-row")
        expect(rows).to_have_count(5)
        page.locator("#hit-policy").get_by_text("Collect").click()
        page.locator("#aggregate").select_option("sum")
        page.locator(".dtable-add .field-picker").first.click()
        page.locator(".el-select-dropdown__item[data-field=duration_seconds]:visible").click()
        page.click("#add-input")
        heads = page.locator(".input-head")
        expect(heads).to_have_count(2)
        heads.nth(1).locator(".input-left").click()
        expect(heads.first).to_have_attribute("data-input", "duration_seconds")
        page.locator("#formula-name").fill("minutes")
        page.locator("#formula-text").fill("duration_seconds / 60")
        page.click("#add-formula")
        expect(heads).to_have_count(3)
        heads.nth(2).locator(".input-remove").click()
        expect(heads).to_have_count(2)
        page.click("#add-row")
        new = rows.last
        new.locator(".cell-kind").first.select_option("gte")
        amount = new.locator(".value-number input")
        amount.fill("60")
        amount.blur()
        points = new.locator(".output-number input")
        points.fill("5")
        points.blur()
        document = page.locator(".dtable-designer")
        expect(document).to_have_attribute(
            "data-json",
            re.compile(r'"inputs":\[\{"field":"duration_seconds"\},\{"field":"type"\}\]'),
        )
        expect(document).to_have_attribute(
            "data-json",
            re.compile(r'\{"cells":\[\{">=":\[\{"var":"duration_seconds"\},60\]\},null\]'),
        )
        page.locator("#try-record").select_option(str(touchpoint))
        page.click("#try-run")
        expect(page.get_by_test_id("matched-rows")).to_have_text("2, 6")
        expect(page.locator('.try-outputs dd[data-output="points"]')).to_have_text("20")
        expect(rows.nth(5)).to_have_class(re.compile(r"\brow-used\b"))
        expect(page.locator(".pinned.has-error")).to_have_count(0)
