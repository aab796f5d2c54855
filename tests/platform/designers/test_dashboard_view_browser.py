"""The marketing overview dashboard in Chromium, in English and Chinese, on the demo's data:
the date filter changes the charts (and the URL), a click on a pie slice cross-filters the
other charts (a chip says so and clears it), the slice's "Records" button opens the lead list
showing exactly the slice's count, the theme switches, and a phone stacks the charts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from designer_harness import open_browser
from live_server import serve
from playwright.sync_api import Page, expect

from jimu.app import create_app
from jimu.platform.clock import clock
from jimu.platform.demo import DemoReport, run_demo
from jimu.platform.migrate import upgrade
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
BOARD = "/apps/marketing/dashboards/marketing_overview"
RUN = "/api/apps/marketing/dashboards/marketing_overview/run"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DemoReport]]:
    """A live server on the demo (SQLite), its clock on 1 November 2026."""
    tmp: Path = tmp_path_factory.mktemp("board")
    platform = Platform.from_settings(
        Settings(database_url=f"sqlite:///{tmp / 'jimu.db'}", data_dir=tmp)
    )
    upgrade(platform.engine)
    report = run_demo(platform)
    app = create_app(platform=platform)
    app.dependency_overrides[clock] = lambda: lambda: NOW
    with serve(app) as base:
        yield base, report
    platform.engine.dispose()


def answer_of(page: Page, action: Any) -> dict[str, Any]:
    """The items of the run API's answer to what ``action`` does on the page, by id."""
    with page.expect_response(lambda r: r.url.endswith(RUN)) as found:
        action()
    response = found.value
    assert response.status == 200, response.text()
    expect(page.locator(".dashboard-view[data-loading=false]")).to_have_count(1)
    return {item["id"]: item for item in response.json()["items"]}


def rows(answer: dict[str, Any], item: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = answer[item]["result"]["rows"]
    return result


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_filter_cross_filter_and_drill_down(demo: tuple[str, DemoReport], lang: str) -> None:
    base, report = demo
    director = next(x for x in report.logins if x.role == "sales_director")
    with open_browser(base, director.username, report.admin_password) as browser:
        page = browser.page
        first = answer_of(page, lambda: browser.open(f"{BOARD}", lang))
        sources = page.locator(".board-item[data-item=sources]")
        expect(sources.locator(".chart-canvas svg")).to_have_count(1)
        expect(page.locator(".board-item")).to_have_count(6)
        words = {"en": "Marketing overview", "zh": "营销总览"}[lang]
        expect(page.locator(".board-title")).to_have_text(words)

        # the date filter: the previous quarter (July to September 2026)
        period = page.locator(".board-filter[data-filter=period] select.filter-range")
        narrowed = answer_of(page, lambda: period.select_option("previous_quarter"))
        expect(page).to_have_url(re.compile(r"period=previous_quarter"))
        before = sum(r["leads"] for r in rows(first, "sources"))
        after = sum(r["leads"] for r in rows(narrowed, "sources"))
        assert 0 < after < before

        # a click on the pie's middle lands on a slice: the other charts narrow to its source
        box = sources.locator(".chart-canvas").bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] * 0.5 + 25, box["y"] + box["height"] * 0.56
        crossed = answer_of(page, lambda: page.mouse.click(x, y))
        chip = page.locator(".cross-chip")
        expect(chip).to_be_visible()
        cross = json.loads(parse_qs(urlparse(page.url).query)["cross"][0])
        assert cross["item"] == "sources" and cross["field"] == "source"
        assert rows(crossed, "sources") == rows(narrowed, "sources")
        assert crossed["funnel"]["cross_filtered"]
        assert rows(crossed, "funnel")[0]["leads"] < rows(narrowed, "funnel")[0]["leads"]
        slice_count = next(
            r["leads"] for r in rows(crossed, "sources") if r["source"] == cross["value"]
        )

        # the chip clears the cross-filter; a second click sets it again
        restored = answer_of(page, lambda: chip.locator(".cross-clear").click())
        assert rows(restored, "funnel") == rows(narrowed, "funnel")
        expect(chip).to_have_count(0)
        answer_of(page, lambda: page.mouse.click(x, y))

        # light and dark
        page.locator(".board-theme").click()
        expect(page.locator(".dashboard-view.board-theme-dark")).to_have_count(1)
        page.locator(".board-theme").click()

        # drill-down: the lead list with exactly the slice's records
        sources.locator(".item-drill").click()
        expect(page).to_have_url(re.compile(r"/apps/marketing/lead\?filter="))
        expect(page.locator(".page-head .titles p")).to_contain_text(str(slice_count))
        expect(page.locator("#url-filter")).to_be_visible()
        page.locator("#url-filter a").click()
        expect(page.locator("#url-filter")).to_have_count(0)


def test_a_phone_stacks_the_charts(demo: tuple[str, DemoReport]) -> None:
    base, report = demo
    with open_browser(base, report.admin_username, report.admin_password) as browser:
        page = browser.page
        page.set_viewport_size({"width": 390, "height": 800})
        answer_of(page, lambda: browser.open("/apps/marketing", "en"))
        boxes = [
            page.locator(f".board-item[data-item={i}]").bounding_box() for i in ("mql_sql", "roi")
        ]
        assert boxes[0] is not None and boxes[1] is not None
        assert boxes[0]["x"] == boxes[1]["x"] and boxes[1]["y"] > boxes[0]["y"]
        assert abs(boxes[0]["width"] - boxes[1]["width"]) < 1
