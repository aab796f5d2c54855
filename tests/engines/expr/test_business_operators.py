"""The business operators: dates, text helpers, blanks, numbers and membership via context."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expr import ExprError, evaluate

CONTEXT = {
    "now": "2025-06-15T12:30:00Z",  # a Sunday
    "today": "2025-06-15",
    "user": {"id": 7, "department_ids": [10, 20], "roles": ["sales"]},
}


def ev(rule: Any, data: Any = None) -> Any:
    return evaluate(rule, data, CONTEXT)


# -- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("year", date(2024, 1, 1)),
        ("quarter", date(2024, 4, 1)),
        ("month", date(2024, 5, 1)),
        ("week", date(2024, 5, 13)),  # Monday
        ("day", date(2024, 5, 15)),
    ],
)
def test_start_of_a_date(unit: str, expected: date) -> None:
    assert ev({"start_of": ["2024-05-15", unit]}) == expected


def test_start_of_a_week_on_a_monday_and_a_sunday() -> None:
    assert ev({"start_of": ["2024-05-13", "week"]}) == date(2024, 5, 13)
    assert ev({"start_of": ["2024-05-19", "week"]}) == date(2024, 5, 13)


def test_start_of_a_datetime_keeps_the_time_kind() -> None:
    moment = datetime(2024, 8, 20, 15, 42, 7, tzinfo=UTC)
    assert ev({"start_of": [{"var": "t"}, "quarter"]}, {"t": moment}) == datetime(
        2024, 7, 1, tzinfo=UTC
    )
    assert ev({"start_of": [{"var": "t"}, "hour"]}, {"t": moment}) == datetime(
        2024, 8, 20, 15, tzinfo=UTC
    )


def test_date_add_clamps_month_ends() -> None:
    assert ev({"date_add": ["2024-01-31", 1, "month"]}) == date(2024, 2, 29)
    assert ev({"date_add": ["2024-02-29", 1, "year"]}) == date(2025, 2, 28)
    assert ev({"date_add": ["2024-01-01", 2, "quarter"]}) == date(2024, 7, 1)
    assert ev({"date_add": ["2024-01-01", -1, "week"]}) == date(2023, 12, 25)
    assert ev({"date_add": ["2024-01-01", 36, "hour"]}) == datetime(2024, 1, 2, 12, tzinfo=UTC)


def test_date_diff_counts_whole_units_toward_zero() -> None:
    assert ev({"date_diff": ["2024-01-31", "2024-03-30", "month"]}) == 1
    assert ev({"date_diff": ["2024-03-30", "2024-01-31", "month"]}) == -1
    assert ev({"date_diff": ["2024-01-01", "2024-01-14", "week"]}) == 1
    assert ev({"date_diff": ["2024-01-14", "2024-01-01", "week"]}) == -1
    assert ev({"date_diff": ["2023-06-01", "2025-05-31", "year"]}) == 1
    assert ev({"date_diff": ["2024-01-01T00:00:00Z", "2024-01-01T05:59:00Z", "hour"]}) == 5
    assert ev({"date_diff": [None, "2024-01-01", "day"]}) is None


def test_parts_of_a_date() -> None:
    data = {"d": date(2025, 6, 15)}
    assert ev({"year": {"var": "d"}}, data) == 2025
    assert ev({"month": {"var": "d"}}, data) == 6
    assert ev({"day": {"var": "d"}}, data) == 15
    assert ev({"weekday": {"var": "d"}}, data) == 7
    assert ev({"weekday": "2025-06-16"}) == 1
    assert ev({"year": {"var": "missing"}}, data) is None


def test_now_and_today_come_from_the_context_or_the_clock() -> None:
    assert ev({"today": []}) == date(2025, 6, 15)
    assert ev({"now": []}) == datetime(2025, 6, 15, 12, 30, tzinfo=UTC)
    assert ev({"var": "$today"}) == date(2025, 6, 15)
    assert evaluate({"today": []}) == datetime.now(UTC).date()
    assert abs((evaluate({"now": []}) - datetime.now(UTC)).total_seconds()) < 60


@pytest.mark.parametrize(
    ("value", "n", "unit", "last", "next_"),
    [
        ("2025-06-15", 0, "day", True, True),
        ("2025-06-08", 7, "day", True, False),
        ("2025-06-07", 7, "day", False, False),
        ("2025-06-22", 1, "week", False, True),
        ("2025-03-15", 3, "month", True, False),
        ("2025-03-14", 3, "month", False, False),
        ("2024-06-15", 1, "year", True, False),
        ("2025-06-15T11:31:00Z", 1, "hour", True, False),
        ("2025-06-15T11:29:00Z", 1, "hour", False, False),
        ("2025-06-15T13:00:00Z", 1, "hour", False, True),
    ],
)
def test_within_last_and_next(value: str, n: int, unit: str, last: bool, next_: bool) -> None:
    assert ev({"within_last": [{"var": "d"}, n, unit]}, {"d": value}) is last
    assert ev({"within_next": [{"var": "d"}, n, unit]}, {"d": value}) is next_


def test_within_last_of_a_missing_date_is_false() -> None:
    assert ev({"within_last": [{"var": "d"}, 7, "day"]}, {}) is False


def test_comparing_a_date_with_iso_text_compares_dates() -> None:
    rule = {">": [{"var": "created_at"}, "2024-01-01"]}
    assert ev(rule, {"created_at": date(2024, 3, 1)}) is True
    assert ev(rule, {"created_at": date(2023, 12, 31)}) is False
    assert ev(rule, {"created_at": datetime(2024, 1, 1, 0, 0, 1)}) is True
    assert ev(rule, {"created_at": "2024-01-02"}) is True
    assert ev(rule, {"created_at": None}) is False
    assert ev({"==": [{"var": "d"}, "2024-01-01"]}, {"d": date(2024, 1, 1)}) is True


def test_a_bad_unit_or_date_is_an_error() -> None:
    with pytest.raises(ExprError) as bad_unit:
        ev({"date_add": ["2024-01-01", 1, "fortnight"]})
    assert "fortnight" in bad_unit.value.message
    with pytest.raises(ExprError):
        ev({"date": "not a date"})
    with pytest.raises(ExprError):
        ev({"within_last": [{"var": "d"}, 1, "aeon"]}, {"d": "2024-01-01"})


# -- text ------------------------------------------------------------------------------------
def test_text_helpers() -> None:
    data = {"name": "  Acme 华东 Ltd\t", "code": "AB-123", "none": None}
    assert ev({"contains": [{"var": "name"}, "华东"]}, data) is True
    assert ev({"contains": [{"var": "none"}, "x"]}, data) is False
    assert ev({"not_contains": [{"var": "none"}, "x"]}, data) is True
    assert ev({"starts_with": [{"var": "code"}, "AB"]}, data) is True
    assert ev({"ends_with": [{"var": "code"}, "123"]}, data) is True
    assert ev({"ends_with": [{"var": "none"}, ""]}, data) is False
    assert ev({"trim": {"var": "name"}}, data) == "Acme 华东 Ltd"
    assert ev({"lower": "ÀB"}) == "àb"
    assert ev({"upper": "ab"}) == "AB"
    assert ev({"length": {"var": "name"}}, data) == 14
    assert ev({"length": {"var": "none"}}, data) == 0
    assert ev({"length": [[1, 2, 3]]}) == 3
    assert ev({"matches": [{"var": "code"}, r"^[A-Z]{2}-\d+$"]}, data) is True
    assert ev({"replace": [{"var": "code"}, "-", "/"]}, data) == "AB/123"
    assert ev({"replace": ["abc", "", "x"]}) == "abc"
    assert ev({"left": [{"var": "code"}, 2]}, data) == "AB"
    assert ev({"right": [{"var": "code"}, 3]}, data) == "123"
    assert ev({"right": [{"var": "code"}, 0]}, data) == ""
    assert ev({"left": [{"var": "none"}, 2]}, data) is None


def test_contains_on_a_multi_select_list() -> None:
    assert ev({"contains": [{"var": "tags"}, "vip"]}, {"tags": ["new", "vip"]}) is True
    assert ev({"contains": [{"var": "tags"}, "vi"]}, {"tags": ["new", "vip"]}) is False


def test_an_invalid_regex_is_an_error() -> None:
    with pytest.raises(ExprError):
        ev({"matches": ["a", "("]})


# -- blanks and numbers ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "blank"),
    [(None, True), ("", True), ([], True), (" ", False), (0, False), (False, False), ([0], False)],
)
def test_blank(value: Any, blank: bool) -> None:
    assert ev({"is_blank": {"var": "x"}}, {"x": value}) is blank
    assert ev({"is_not_blank": {"var": "x"}}, {"x": value}) is not blank


def test_blank_when_the_field_is_absent() -> None:
    assert ev({"is_blank": {"var": "x"}}, {}) is True


def test_coalesce_takes_the_first_value_that_is_set() -> None:
    assert ev({"coalesce": [{"var": "a"}, {"var": "b"}, "none"]}, {"b": 0}) == 0
    assert ev({"coalesce": [{"var": "a"}, "none"]}, {"a": ""}) == ""
    assert ev({"coalesce": []}) is None


def test_number_helpers() -> None:
    assert ev({"round": [2.5]}) == 3
    assert ev({"round": [-2.5]}) == -3
    assert ev({"round": [1.005, 2]}) == 1.01
    assert ev({"round": [1234.5, -2]}) == 1200
    assert ev({"floor": -1.5}) == -2
    assert ev({"ceil": 1.2}) == 2
    assert ev({"abs": -3}) == 3
    assert ev({"sum": [1, None, "2", 3.5]}) == 6.5
    assert ev({"avg": [1, None, 2]}) == 1.5
    assert ev({"avg": [None]}) is None
    assert ev({"+": [{"var": "price"}, 1]}, {"price": Decimal("2.5")}) == 3.5


# -- membership --------------------------------------------------------------------------------
def test_membership_of_the_current_user_and_department() -> None:
    record = {"owner_id": 7, "department_id": 20, "tags": ["b", "sales"]}
    assert ev({"==": [{"var": "owner_id"}, {"var": "$user.id"}]}, record) is True
    assert ev({"in_list": [{"var": "department_id"}, {"var": "$user.department_ids"}]}, record)
    assert ev({"not_in_list": [{"var": "department_id"}, [1, 2]]}, record) is True
    assert ev({"any_in": [{"var": "tags"}, {"var": "$user.roles"}]}, record) is True
    assert ev({"any_in": [{"var": "tags"}, ["x"]]}, record) is False
    assert ev({"in_list": [{"var": "department_id"}, {"var": "$user.missing"}]}, record) is False


def test_membership_is_strict_about_kinds() -> None:
    assert ev({"in_list": [1, [True, "1"]]}) is False
    assert ev({"in_list": [1, [1.0]]}) is True
    assert ev({"in_list": [None, [None]]}) is True


def test_context_values_are_absent_without_a_context() -> None:
    assert evaluate({"var": "$user.id"}, {}) is None
