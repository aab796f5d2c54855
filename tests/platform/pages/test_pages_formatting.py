"""Showing values to people and reading datetime-local input in the user's time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from jimu.builder_ui.pages.shell.formatting import (
    grouped_number,
    local_datetime,
    local_input,
    money,
    percent,
    utc_from_local_input,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def test_utc_values_are_shown_in_the_viewers_zone() -> None:
    assert local_datetime("2026-11-23T08:00:00Z", SHANGHAI) == "2026-11-23 16:00"
    assert local_datetime("2026-11-23T02:30:00Z", NEW_YORK) == "2026-11-22 21:30"
    assert local_input("2026-11-23T08:00:00Z", SHANGHAI) == "2026-11-23T16:00"
    assert local_datetime(None, SHANGHAI) == ""
    assert local_datetime("not a date", SHANGHAI) == ""


def test_datetime_local_input_is_read_in_the_viewers_zone() -> None:
    assert utc_from_local_input("2026-11-23T16:00", SHANGHAI) == "2026-11-23T08:00:00Z"
    # Daylight saving time in New York in July: UTC-4.
    assert utc_from_local_input("2026-07-01T09:15", NEW_YORK) == "2026-07-01T13:15:00Z"


def test_round_trip_through_the_input_keeps_the_moment() -> None:
    for value in ("2026-01-31T23:59:00Z", "2026-03-08T07:30:00Z", "2026-11-01T05:45:00Z"):
        for zone in (SHANGHAI, NEW_YORK):
            assert utc_from_local_input(local_input(value, zone), zone) == value


def test_text_that_is_no_datetime_is_passed_on_for_the_service_to_reject() -> None:
    assert utc_from_local_input("tomorrow", SHANGHAI) == "tomorrow"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234567.50", "1,234,567.50"),
        (1200, "1,200"),
        (0.5, "0.5"),
        ("-42.125", "-42.125"),
        ("", ""),
        (None, ""),
        ("abc", "abc"),
    ],
)
def test_grouped_numbers(value: object, expected: str) -> None:
    assert grouped_number(value) == expected


def test_money_and_percent() -> None:
    assert money("1200.50", "CNY") == "¥1,200.50"
    assert money("99.00", "USD") == "$99.00"
    assert money("10.00", "CHF") == "10.00 CHF"
    assert money(None, "CNY") == ""
    assert percent("12.50") == "12.50%"
