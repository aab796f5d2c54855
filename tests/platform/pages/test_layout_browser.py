"""At 1366 x 768 (the commonest laptop screen) the list and record pages fit the window: the
main layout has no horizontal overflow, in English and in Chinese (only wide tables scroll,
inside their own box)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from pages_testing import import_marketing
from platform_testing import ADMIN_PASSWORD, add_user
from playwright.sync_api import Page, expect, sync_playwright

from jimu.app import create_app
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 1366, 768
LEAD = {
    "name": "王芳芳 Wang Fangfang",
    "company": "上海示例信息科技有限公司 Shanghai Example Information Technology Co., Ltd.",
    "job_title": "市场营销与数字化转型中心高级总监 Senior Director of Marketing",
    "phone": "13812345678",
    "email": "wang.fangfang.marketing.director@shanghai-example-information.com.cn",
    "source": "website_form",
    "status": "new",
    "description": "需要在下个季度之前完成评估。" * 12,
    "landing_page": "https://www.example.com/campaigns/2026/spring-marketing-cloud-launch-event-registration-page",
}
#: Elements of the page's main layout, each of which must fit the window.
LAYOUT_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) found.push("document");
  const layout = [".topbar", ".shell", ".sidebar", "main.content", ".page-head", ".panel"];
  for (const selector of layout) {
    for (const el of document.querySelectorAll(selector)) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 0.5 || el.scrollWidth > el.clientWidth + 1) found.push(selector);
    }
  }
  const edit = document.querySelector("#records td.actions a");
  const wrap = edit && edit.closest(".table-wrap");
  if (edit && edit.getBoundingClientRect().right > wrap.getBoundingClientRect().right + 0.5) {
    found.push("the first row's Edit button is cut off");
  }
  return found;
}"""


@pytest.fixture
def server(platform: Platform) -> Iterator[tuple[str, int]]:
    import_marketing(platform)
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        ctx = WriteContext(actor_id=1, source="ui")
        lead = records.create(conn, "lead", LEAD, ctx)
        for n in range(30):
            records.create(conn, "lead", {**LEAD, "name": f"{LEAD['name']} {n}"}, ctx)
    with serve(create_app(platform=platform)) as base:
        yield base, int(lead["id"])


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            context.set_default_timeout(TIMEOUT_MS)
            yield context.new_page()
        finally:
            browser.close()


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/apps")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_list_and_record_pages_fit_1366_pixels(
    server: tuple[str, int], page: Page, lang: str, tmp_path: Path
) -> None:
    base, lead = server
    screens = Path(os.environ.get("JIMU_SCREENSHOT_DIR") or tmp_path)
    sign_in(page, base)
    every_column = "cols=name,company,job_title,phone,email,source,status,landing_page,description"
    pages = {
        "list": f"/apps/marketing/lead?lang={lang}",
        "list-wide": f"/apps/marketing/lead?lang={lang}&{every_column}",
        "record": f"/apps/marketing/lead/{lead}?lang={lang}",
        "edit": f"/apps/marketing/lead/{lead}/edit?lang={lang}",
    }
    overflowing = {}
    for name, url in pages.items():
        response = page.goto(base + url)
        assert response is not None and response.status == 200, url
        page.screenshot(path=str(screens / f"layout-{lang}-{name}.png"), full_page=True)
        found = page.evaluate(LAYOUT_OVERFLOW)
        if found:
            overflowing[name] = found
    assert overflowing == {}
