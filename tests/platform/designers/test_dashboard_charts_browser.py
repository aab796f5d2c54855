"""The sales dashboard in Chromium, in English and Chinese, on the demo's data: owners are
shown by name (the leaderboard's table, the stacked bars' legend), a click on one owner's
segment of a stage cross-filters the other charts by the stage and the owner (the chip names
both, the owner by name), and every chart's "Download PNG" saves a real PNG in the theme shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from designer_harness import open_browser
from live_server import serve
from playwright.sync_api import Page, expect
from png_check import download_png, first_pixel

from jimu.app import create_app
from jimu.platform.clock import clock
from jimu.platform.demo import DEMO_TEAM, DemoReport, run_demo
from jimu.platform.migrate import upgrade
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
BOARD = "/apps/marketing/dashboards/sales"
RUN = "/api/apps/marketing/dashboards/sales/run"
NAMES = {name for _, name, _ in DEMO_TEAM}
WORDS = {
    "en": {"png": "Download PNG", "file": "Pipeline by stage and owner.png", "owner": "Owner"},
    "zh": {"png": "下载 PNG", "file": "各阶段各负责人商机金额.png", "owner": "负责人"},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DemoReport]]:
    """A live server on the demo (SQLite), its clock on 1 November 2026."""
    tmp: Path = tmp_path_factory.mktemp("sales_board")
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


def biggest_bar(page: Page, item: str) -> dict[str, float]:
    """The bounding box of the largest filled shape below the legend of a chart (scrolled
    into view): a bar segment."""
    page.locator(f".board-item[data-item={item}]").scroll_into_view_if_needed()
    boxes: list[dict[str, float]] = page.locator(
        f".board-item[data-item={item}] .chart-canvas svg"
    ).evaluate(
        """svg => {
          const top = svg.getBoundingClientRect().y + 40;
          return [...svg.querySelectorAll("path")]
            .filter(p => (p.getAttribute("fill") || "none") !== "none")
            .map(p => p.getBoundingClientRect())
            .filter(r => r.y > top)
            .map(r => ({x: r.x, y: r.y, width: r.width, height: r.height}));
        }"""
    )
    return max(boxes, key=lambda b: b["width"] * b["height"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_names_a_two_dimension_cross_filter_and_png_downloads(
    demo: tuple[str, DemoReport], lang: str, tmp_path: Path
) -> None:
    base, report = demo
    words = WORDS[lang]
    director = next(x for x in report.logins if x.role == "sales_director")
    with open_browser(base, director.username, report.admin_password) as browser:
        page = browser.page
        first = answer_of(page, lambda: browser.open(f"{BOARD}?period=all", lang))
        stacked = page.locator(".board-item[data-item=stage_owner]")
        expect(stacked.locator(".chart-canvas svg")).to_have_count(1)

        # owners by name: the leaderboard's first column, the stacked bars' legend
        cells = page.locator(
            ".board-item[data-item=leaderboard] .chart-table tbody tr td:first-child"
        )
        expect(cells.first).to_be_visible()
        shown = set(cells.all_inner_texts())
        assert shown and shown <= NAMES | {"–", "(empty)", "（空）"}, shown
        legend = stacked.locator(".chart-canvas svg").text_content() or ""
        assert sum(name in legend for name in NAMES) >= 3, legend

        # a click on the largest segment: the stage and that owner filter the other charts
        box = biggest_bar(page, "stage_owner")
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        crossed = answer_of(page, lambda: page.mouse.click(x, y))
        cross = json.loads(parse_qs(urlparse(page.url).query)["cross"][0])
        assert cross["item"] == "stage_owner" and cross["field"] == "stage"
        assert cross["series"]["field"] == "owner_id"
        owner = cross["series"]["value"]
        name = next(r["owner:title"] for r in rows(first, "stage_owner") if r["owner"] == owner)
        chip = page.locator(".cross-chip")
        expect(chip).to_contain_text(f"{words['owner']} = {name}")
        assert [r["rep"] for r in rows(crossed, "leaderboard")] == [owner]
        assert [r["stage"] for r in rows(crossed, "pipeline")] == [cross["value"]]
        assert crossed["leaderboard"]["cross_filtered"]
        # a second click on the same segment (moved down by the chip) clears it
        box = biggest_bar(page, "stage_owner")
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        answer_of(page, lambda: page.mouse.click(x, y))
        expect(chip).to_have_count(0)

        # Download PNG: a real PNG of the chart, light, then dark
        button = stacked.locator(".chart-png")
        expect(button).to_have_text(words["png"])
        file, data = download_png(page, button, tmp_path)
        assert file == words["file"]
        width, height, pixel = first_pixel(data)
        assert width > 600 and height > 400 and pixel[:3] == (255, 255, 255)
        (tmp_path / f"light-{lang}.png").write_bytes(data)
        page.locator(".board-theme").click()
        expect(page.locator(".dashboard-view.board-theme-dark")).to_have_count(1)
        expect(stacked.locator(".report-chart.chart-theme-dark .chart-canvas svg")).to_have_count(1)
        _, dark = download_png(page, button, tmp_path)
        assert first_pixel(dark)[2][:3] == (0x10, 0x0C, 0x2A)
        # a table has no PNG (it is HTML)
        expect(page.locator(".board-item[data-item=leaderboard] .chart-png")).to_have_count(0)
