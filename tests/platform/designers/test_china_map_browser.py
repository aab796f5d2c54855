"""The map of China's provinces in Chromium, in English and Chinese: the marketing app's
"Leads by province" opened in the chart designer draws the map (the provinces as shapes, a
long form such as 广东省 counted with 广东), lists the leads from abroad under it, and its
"Download PNG" saves a real PNG of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from designer_harness import open_browser
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import expect
from png_check import download_png, first_pixel

from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
LEADS = [("广东省", 3), ("广东", 2), ("浙江省", 4), ("新疆维吾尔自治区", 1), ("Singapore", 2)]
NOTE = {"en": "Not on the map: Singapore 2", "zh": "不在地图上： Singapore 2"}


def add_leads(platform: Platform) -> None:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        context = WriteContext(actor_id=None)
        for province, count in LEADS:
            for i in range(count):
                body = {"name": f"Lead {province} {i}", "province": province, "source": "wechat"}
                records.create(conn, "lead", body, context)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_leads_by_province_draw_on_the_map_and_download(
    live: str, platform: Platform, lang: str, tmp_path: Path
) -> None:
    add_leads(platform)
    with open_browser(live, "admin", ADMIN_PASSWORD) as designer:
        with designer.page.expect_response(
            lambda r: r.url.endswith("/api/apps/marketing/reports/run")
        ) as ran:
            page = designer.open("/design/apps/marketing/reports/leads_by_province", lang)
        rows = {r["province"]: r["leads"] for r in ran.value.json()["rows"]}
        assert rows == {p: n for p, n in LEADS}
        chart = page.locator('.report-chart[data-visual="china_map"]')
        svg = chart.locator(".chart-canvas svg")
        expect(svg).to_have_count(1)
        # the 34 regions are drawn as shapes (more paths than any other chart of five rows)
        expect(svg.locator("path")).not_to_have_count(0)
        assert svg.locator("path").count() > 34
        expect(chart.locator(".chart-note")).to_have_text(NOTE[lang])
        name, data = download_png(page, chart.locator(".chart-png"), tmp_path)
        assert name.endswith(".png")
        width, height, pixel = first_pixel(data)
        assert width > 400 and height > 400 and pixel[:3] == (255, 255, 255)
        (tmp_path / "map.png").write_bytes(data)
