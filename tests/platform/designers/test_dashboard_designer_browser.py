"""The dashboard designer in Chromium, in English and in Chinese: a new dashboard gets two
published charts by REAL mouse drags from the palette onto the gridstack grid, each drawn live
from the run API; one is resized by dragging its corner handle, the other by its width input;
a date-range filter with a default is added; published, the stored document has exactly the
positions, sizes and filter the grid showed. A publish the server refuses (a chart that is no
longer published, a filter no chart can use) has its errors pinned to that chart's tile and
that filter's field."""

from __future__ import annotations

import json
from typing import Any

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
    "en": {"live": "is live", "east": "East China", "this_year": "This year"},
    "zh": {"live": "已上线", "east": "华东", "this_year": "今年"},
}


def add_leads(platform: Platform) -> None:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        context = WriteContext(actor_id=None)
        for i, region in enumerate(["east", "east", "north"]):
            body = {"name": f"Lead {i}", "source": "website_form", "region": region}
            records.create(conn, "lead", body, context)


def document_of(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        page.locator(".dashboard-designer").get_attribute("data-json") or "{}"
    )
    return found


def mouse_drag(page: Page, source: Locator, x: float, y: float) -> None:
    """Press on the middle of ``source``, glide in steps to the page point (x, y), release."""
    box = source.bounding_box()
    assert box is not None
    mouse = page.mouse
    mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    mouse.down()
    mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5, steps=3)
    mouse.move(x, y, steps=15)
    mouse.move(x + 1, y + 1, steps=2)
    mouse.up()


def drop_at_column(page: Page, report: str, column: int, row: int) -> None:
    """Drag the palette's ``report`` so that the chart's top left lands on (column, row)."""
    chart = page.locator(f'.dash-palette-chart[data-report="{report}"]')
    chart.scroll_into_view_if_needed()
    grid = page.locator("#dashboard-grid").bounding_box()
    source = chart.bounding_box()
    assert grid is not None and source is not None
    cell = grid["width"] / 12
    # The dragged copy keeps the point it was grabbed at (its middle): aim its top left.
    x = grid["x"] + column * cell + cell / 3 + source["width"] / 2
    y = grid["y"] + row * 56 + 12 + source["height"] / 2
    mouse_drag(page, chart, x, y)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_dashboard_laid_out_by_dragging_publishes_its_grid(
    live: str, platform: Platform, lang: str
) -> None:
    texts = TEXTS[lang]
    add_leads(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        page = designer.open("/design/apps/marketing/dashboards", lang)
        page.locator("#new-dashboard-name").fill("overview")
        page.click("#new-dashboard")
        expect(page.locator("html[data-designer-ready]")).to_have_count(1)
        page.locator("#dashboard-label-en").fill("Overview")
        page.locator("#dashboard-label-zh").fill("总览")

        drop_at_column(page, "leads_by_region", 0, 0)
        tiles = page.locator("#dashboard-grid .dash-tile")
        expect(tiles).to_have_count(1)
        # Drawn live from the run API: the donut's legend names the regions in the language.
        first = page.locator('.dash-tile[data-report="leads_by_region"]')
        expect(first.locator(".report-chart svg").first).to_contain_text(texts["east"])

        drop_at_column(page, "new_leads_this_month", 6, 0)
        expect(tiles).to_have_count(2)
        second = page.locator('.dash-tile[data-report="new_leads_this_month"]')
        expect(second.locator(".card-value")).to_have_text("3")
        placed = document_of(page)["items"]
        assert [(i["report"], i["x"], i["y"], i["w"], i["h"]) for i in placed] == [
            ("leads_by_region", 0, 0, 6, 4),
            ("new_leads_this_month", 6, 0, 6, 4),
        ]

        # Resized by dragging the first chart's lower right corner two rows down.
        item = page.locator('.grid-stack-item[data-item-id="leads_by_region"]')
        item.hover()
        handle = item.locator(".ui-resizable-se")
        box = handle.bounding_box()
        assert box is not None
        mouse_drag(page, handle, box["x"] + box["width"] / 2, box["y"] + 2 * 62 + 4)
        expect(first.locator(".tile-size")).to_have_text("6×6")

        # The second chart narrowed with the keyboard's way: the width input of its panel.
        second.locator(".tile-title").click()
        page.locator("#item-w").fill("4")
        page.locator("#item-w").press("Tab")
        expect(second.locator(".tile-size")).to_have_text("4×4")

        # A date-range filter on the creation date, by default this year.
        page.locator("#new-filter-type").select_option("date_range")
        page.click("#add-filter")
        filter_row = page.locator('.dash-filter[data-filter="period"]')
        expect(filter_row).to_have_count(1)
        # The field is picked from those both charts have (two leads charts: "2 charts").
        filter_row.locator(".filter-field").select_option("created_at")
        expect(filter_row.locator(".filter-field option:checked")).to_contain_text("2")
        filter_row.locator(".filter-default-range").select_option("this_year")
        expect(filter_row.locator(".filter-default-range option:checked")).to_have_text(
            texts["this_year"]
        )
        filter_row.locator(".filter-label-en").fill("Period")

        shown = document_of(page)
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(texts["live"])

    with platform.engine.connect() as conn:
        published = store.published(conn, "marketing", "dashboard", "overview")
    assert published is not None
    assert published.body == shown
    assert published.body["label"] == {"en": "Overview", "zh": "总览"}
    assert published.body["items"] == [
        {"id": "leads_by_region", "report": "leads_by_region", "x": 0, "y": 0, "w": 6, "h": 6},
        {
            "id": "new_leads_this_month",
            "report": "new_leads_this_month",
            "x": 6,
            "y": 0,
            "w": 4,
            "h": 4,
        },
    ]
    assert published.body["filters"] == [
        {
            "name": "period",
            "type": "date_range",
            "field": "created_at",
            "default": {"range": "this_year"},
            "label": {"en": "Period"},
        },
    ]


BROKEN = {
    "kind": "dashboard",
    "name": "broken",
    "filters": [{"name": "deal_stage", "type": "select", "field": "stage"}],
    "items": [
        {"id": "regions", "report": "leads_by_region", "x": 0, "y": 0, "w": 6, "h": 4},
        {"id": "gone", "report": "retired_chart", "x": 6, "y": 0, "w": 6, "h": 4},
    ],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refused_publish_pins_errors_to_the_chart_and_the_filter(
    live: str, platform: Platform, lang: str
) -> None:
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "dashboard", "broken", BROKEN)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        designer.expect_failure(422, "/api/apps/marketing/publish")
        page = designer.open("/design/apps/marketing/dashboards/broken", lang)
        gone = page.locator('.dash-tile[data-report="retired_chart"]')
        expect(gone.locator(".tile-error")).to_contain_text("retired_chart")
        page.click("#publish")
        expect(gone.locator(":scope > .pinned-error")).to_contain_text("retired_chart")
        errors = designer.pinned_errors()
        assert "/items/1" in errors, errors
        assert "/items/0" not in errors
        assert any("stage" in m for m in errors["/filters/0/field"]), errors
        # Removing the retired chart and the filter no chart can use, the board publishes.
        gone.locator(".tile-remove").click()
        page.locator('.dash-filter[data-filter="deal_stage"] .filter-remove').click()
        page.click("#publish")
        expect(page.get_by_test_id("bar-message")).to_contain_text(TEXTS[lang]["live"])
        expect(page.locator(".pinned.has-error")).to_have_count(0)
    with platform.engine.connect() as conn:
        published = store.published(conn, "marketing", "dashboard", "broken")
    assert published is not None
    assert published.body == {
        "kind": "dashboard",
        "name": "broken",
        "items": [{"id": "regions", "report": "leads_by_region", "x": 0, "y": 0, "w": 6, "h": 4}],
    }
