"""The chart designer in Chromium, in English and in Chinese: a new report on opportunities
built with REAL drags (a date into dimensions, where it groups by month; the amount into
measures, where it is a sum; the stage into the filter, where it becomes a condition row); the
live chart redraws from the ad hoc run API (an ECharts SVG with one series per measure); a
visual that cannot draw the chart gets the server's error pinned to the visual picker, fixed
again; "Download PNG" saves a real PNG in the theme shown; published; the published report's
data API answers with the month groups."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Locator, Page, expect
from png_check import download_png, first_pixel

from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
TEXTS = {
    "en": {
        "month": "Month",
        "close": "Expected close",
        "live": "is live",
        "jan": "2026-01",
        "feb": "2026-02",
        "png": "Download PNG",
        "file": "Deals by month.png",
    },
    "zh": {
        "month": "月",
        "close": "预计成交",
        "live": "已上线",
        "jan": "2026年1月",
        "feb": "2026年2月",
        "png": "下载 PNG",
        "file": "每月商机.png",
    },
}
DEALS = [
    (date(2026, 1, 10), 1000, "proposal"),
    (date(2026, 1, 20), 2500, "won"),
    (date(2026, 2, 5), 40000, "negotiation"),
]


def add_deals(platform: Platform) -> None:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        context = WriteContext(actor_id=None)
        account = records.create(conn, "account", {"name": "ACME", "region": "east"}, context)
        for close, amount, stage in DEALS:
            body = {
                "name": f"Deal {amount}",
                "account": account["id"],
                "stage": stage,
                "amount": amount,
                "expected_close_date": close.isoformat(),
            }
            records.create(conn, "opportunity", body, context)


def drag_into(page: Page, source: Locator, target: Locator) -> None:
    """A real mouse drag from ``source`` into ``target``, following the target as the lists
    passed over on the way open a gap (a person's eye does the same)."""
    start = source.bounding_box()
    assert start is not None
    mouse = page.mouse
    mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    mouse.down()
    mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2 + 4, steps=2)
    for _ in range(3):
        end = target.bounding_box()
        assert end is not None
        mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] * 0.6, steps=8)
    mouse.up()


def spec_of(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        page.locator(".report-designer").get_attribute("data-json") or "{}"
    )
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_chart_built_with_drags_draws_live_and_publishes(
    live: str, platform: Platform, lang: str, tmp_path: Path
) -> None:
    texts = TEXTS[lang]
    add_deals(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        designer.expect_failure(422, "/api/apps/marketing/reports/run")
        page = designer.open("/design/apps/marketing/reports", lang)
        page.locator("#new-report-name").fill("deals_by_month")
        page.locator("#new-report-entity").select_option("opportunity")
        page.click("#new-report")
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        # A new report counts the records: a number card, drawn from the run API.
        expect(page.locator(".report-chart .card-value")).to_have_text("3")
        page.locator("#report-title-en").fill("Deals by month")
        page.locator("#report-title-zh").fill("每月商机")

        # Found by the search box (in the language shown), then dragged into the dimensions.
        page.locator("#report-fields .field-search").fill(texts["close"])
        page.locator("#well-dimensions").scroll_into_view_if_needed()
        close = page.locator('#report-fields .field-chip[data-field="expected_close_date"]')
        designer.drag(close, page.locator("#well-dimensions .well-items"))
        dimension = page.locator("#well-dimensions .dimension-item")
        expect(dimension).to_have_count(1)
        expect(dimension).to_have_attribute("data-field", "expected_close_date")
        expect(dimension.locator(".dimension-grain")).to_contain_text(texts["month"])

        page.locator("#report-fields .field-search").fill("amount")
        amount = page.locator('#report-fields .field-chip[data-field="amount"]')
        designer.drag(amount, page.locator("#well-measures .well-items"))
        expect(page.locator("#well-measures .measure-item")).to_have_count(2)
        page.locator("#report-fields .field-search").fill("stage")
        page.locator("#well-filter").scroll_into_view_if_needed()
        stage = page.locator('#report-fields .field-chip[data-field="stage"]')
        drag_into(page, stage, page.locator("#well-filter .filter-drop"))
        expect(page.locator("#well-filter li.condition-node")).to_have_count(1)

        spec = spec_of(page)
        assert spec["dimensions"] == [{"field": "expected_close_date", "grain": "month"}]
        assert spec["measures"][1] == {"name": "sum_amount", "agg": "sum", "field": "amount"}
        assert spec["filter"] == {"and": [{"is_not_blank": [{"var": "stage"}]}]}
        assert spec["visual"]["type"] == "bar"

        # The live chart: an ECharts SVG with two series (the count and the sum), by month.
        chart = page.locator('.report-chart[data-visual="bar"][data-series="2"]')
        expect(chart.locator(".chart-canvas svg")).to_have_count(1)
        expect(chart.locator(".chart-canvas svg")).to_contain_text(texts["feb"])
        expect(chart.locator(".chart-canvas svg")).to_contain_text(texts["jan"])

        # A pie cannot draw two measures: the server's error is pinned to the visual picker.
        page.click('.visual-choice[data-visual="pie"]')
        pinned = page.locator('.pinned.has-error[data-pointer="/visual/type"]')
        expect(pinned).to_have_count(1)
        expect(pinned.locator(".pinned-error")).to_contain_text("pie")
        # Back to a line chart: the error goes, one line per measure.
        page.click('.visual-choice[data-visual="line"]')
        expect(pinned).to_have_count(0)
        expect(
            page.locator('.report-chart[data-visual="line"][data-series="2"] svg')
        ).to_have_count(1)

        # The dark theme redraws the same chart with ECharts' dark theme.
        page.locator("#report-preview .el-radio-button").nth(1).click()
        dark = page.locator('.report-chart.chart-theme-dark[data-series="2"] .chart-canvas svg')
        expect(dark).to_have_count(1)

        # "Download PNG": the chart as a real PNG, in the dark theme, named by its title.
        button = page.locator(".report-chart .chart-png")
        expect(button).to_have_text(texts["png"])
        name, data = download_png(page, button, tmp_path)
        assert name == texts["file"]
        width, height, pixel = first_pixel(data)
        assert width > 400 and height > 400  # twice the pixels of the drawn chart
        assert pixel[:3] == (0x10, 0x0C, 0x2A)  # the dark theme's background

        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])

        answer = page.request.get(f"{live}/api/apps/marketing/reports/deals_by_month/data")
        assert answer.status == 200
        data = answer.json()
        assert data["visual"]["type"] == "line"
        assert [
            (row["expected_close_date"], row["records"], row["sum_amount"]) for row in data["rows"]
        ] == [
            ("2026-01-01", 2, 3500),
            ("2026-02-01", 1, 40000),
        ]
