"""The calendar view: a published calendar view places the records on a six-week month grid by
its date field, under the view's filter and the reader's scope; months page back and forth; a
full day links to the list of that day; date-times land on the reader's local day."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from pages_testing import HTML, text_of

from jimu.builder_ui.pages.records.calendar_page import bound, day_of, grid_start
from jimu.builder_ui.pages.records.fields import FieldView
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

URL = "/apps/marketing/opportunity/calendar/closing"


def publish_view(platform: Platform) -> None:
    view = {
        "kind": "view", "entity": "opportunity", "name": "closing", "type": "calendar",
        "label": {"en": "Closing deals", "zh": "成交日历"},
        "date_field": "expected_close_date",
        "filter": {"!=": [{"var": "stage"}, "lost"]},
    }  # fmt: skip
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "view", "opportunity.closing", view)
        store.publish(conn, "marketing")


def add_deals(platform: Platform, *deals: tuple[str, str, str]) -> None:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "marketing")
        ctx = WriteContext(actor_id=None)
        account = records.create(conn, "account", {"name": "Acme", "region": "east"}, ctx)["id"]
        for name, day, stage in deals:
            values = {"name": name, "account": account, "stage": stage, "amount": "100",
                      "expected_close_date": day}  # fmt: skip
            records.create(conn, "opportunity", values, ctx)


def cell(page: str, day: str) -> str:
    found = re.search(rf'<td[^>]*data-day="{day}".*?</td>', page, re.S)
    assert found, f"no cell for {day}"
    return found.group(0)


def test_deals_sit_on_their_days_and_months_page(pages: TestClient, marketing: Platform) -> None:
    publish_view(marketing)
    five = [(f"Deal {n}", "2026-12-15", "proposal") for n in range(6)]
    add_deals(
        marketing,
        ("Alpha", "2026-12-01", "proposal"),
        ("Lost one", "2026-12-01", "lost"),
        ("Early Jan", "2027-01-03", "proposal"),
        ("Later", "2027-02-20", "won"),
        *five,
    )
    page = pages.get(f"{URL}?month=2026-12", headers=HTML)
    assert page.status_code == 200, page.text
    assert "Alpha" in cell(page.text, "2026-12-01")
    assert "Lost one" not in page.text  # the view's filter holds
    # the grid runs six weeks from the Monday on or before the 1st: Jan 3rd is on it
    assert "Early Jan" in cell(page.text, "2027-01-03") and "other-month" in cell(
        page.text, "2027-01-03"
    )
    busy = cell(page.text, "2026-12-15")
    assert busy.count("<li") == 4 and "+2 more" in text_of(busy)
    more = re.search(r'class="calendar-more" href="([^"]+)"', busy)
    assert more
    listed = text_of(pages.get(more.group(1).replace("&amp;", "&"), headers=HTML).text)
    assert all(f"Deal {n}" in listed for n in range(6)) and "Alpha" not in listed
    assert "Later" not in page.text
    february = pages.get(f"{URL}?month=2027-02", headers=HTML).text
    assert "Later" in cell(february, "2027-02-20")
    assert 'href="/apps/marketing/opportunity/calendar/closing?month=2027-01"' in february
    # the list offers the calendar; a bad month is a clear error
    assert f'href="{URL}"' in pages.get("/apps/marketing/opportunity", headers=HTML).text
    bad = pages.get(f"{URL}?month=December", headers=HTML)
    assert bad.status_code == 422 and "is not a month like 2026-12" in bad.text


def test_the_calendar_speaks_chinese(pages: TestClient, marketing: Platform) -> None:
    publish_view(marketing)
    page = pages.get(f"{URL}?month=2026-12&lang=zh", headers=HTML).text
    assert "2026年12月" in page and "周一" in page and "成交日历" in page


def test_a_table_view_is_not_a_calendar(pages: TestClient, marketing: Platform) -> None:
    assert pages.get("/apps/marketing/opportunity/calendar/nope", headers=HTML).status_code == 404


def test_date_times_fall_on_the_readers_local_day() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    # 20:00 UTC on the 1st is 04:00 on the 2nd in Shanghai
    assert day_of("2026-12-01T20:00:00Z", shanghai) == date(2026, 12, 2)
    assert day_of("2026-12-01", shanghai) == date(2026, 12, 1)
    moment = FieldView("at", "datetime", "datetime", "At", "", False, False, False, {})
    assert bound(date(2026, 12, 2), moment, shanghai) == "2026-12-01T16:00:00Z"
    assert grid_start(date(2026, 12, 1)) == date(2026, 11, 30)  # a Monday
