"""Working-day calendars: examples from the 2026 Chinese schedule, and the invariants of
working-time arithmetic as properties (Hypothesis) over random weeks, holidays and 调休."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jimu.engines.calendar import Calendar, CalendarError, calendar_errors, load_calendar
from jimu.engines.calendar.document import WEEKDAYS

SHANGHAI = ZoneInfo("Asia/Shanghai")
APP = Path(__file__).parents[3] / "examples" / "marketing" / "app.json"
OFFICE = [["09:00", "12:00"], ["13:00", "18:00"]]


def china_2026() -> Calendar:
    body = json.loads(APP.read_text("utf-8"))["calendars"]["cn_2026"]
    assert calendar_errors(body) == []
    return load_calendar(body, ZoneInfo("UTC"))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def test_the_2026_schedule_rests_on_holidays_and_works_the_adjusted_weekends() -> None:
    cal = china_2026()
    assert cal.zone == SHANGHAI  # the calendar's own zone, not the app's (UTC here)
    for day in ("2026-01-01", "2026-02-17", "2026-04-06", "2026-05-05", "2026-10-07"):
        assert not cal.is_working_day(date.fromisoformat(day)), day
    for day in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert cal.is_working_day(date.fromisoformat(day)), day  # 调休: weekends worked
    assert not cal.is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    assert cal.is_working(local(2026, 1, 4, 10)) and not cal.is_working(local(2026, 1, 4, 12, 30))


def test_working_days_skip_the_national_day_week_and_land_on_its_saturday() -> None:
    cal = china_2026()
    # Wednesday 30 September, 10:00: two working days later is Friday 9 October, 10:00.
    assert cal.add_working_days(local(2026, 9, 30, 10), 2) == local(2026, 10, 9, 10)
    # Friday 9 October 16:00 + 1 working day: Saturday 10 October is worked (调休).
    assert cal.add_working_days(local(2026, 10, 9, 16), 1) == local(2026, 10, 10, 16)
    # Spring festival: Friday 13 February 17:00 + 2 working hours → Saturday 14th 10:00.
    assert cal.add_working_hours(local(2026, 2, 13, 17), 2) == local(2026, 2, 14, 10)
    # … and + 10 working hours from there skips the whole festival, to Tuesday 24th 12:00.
    assert cal.add_working_hours(local(2026, 2, 14, 10), 10) == local(2026, 2, 24, 12)


def test_a_reminder_four_working_hours_before_monday_ten_is_on_friday() -> None:
    cal = china_2026()
    assert cal.subtract_working_time(local(2026, 3, 9, 10), timedelta(hours=4)) == local(
        2026, 3, 6, 15
    )
    assert cal.subtract_working_time(local(2026, 3, 9, 13), timedelta(hours=1)) == local(
        2026, 3, 9, 11
    )


def test_a_moment_outside_working_hours_counts_from_the_next_working_moment() -> None:
    cal = china_2026()
    assert cal.add_working_hours(local(2026, 3, 6, 20), 1) == local(2026, 3, 9, 10)
    assert cal.add_working_days(local(2026, 3, 6, 20), 1) == local(2026, 3, 9, 18)
    assert cal.add_working_days(local(2026, 3, 9, 8), 1) == local(2026, 3, 9, 18)
    assert cal.add_working_hours(local(2026, 3, 9, 11), 1.5) == local(2026, 3, 9, 13, 30)


def test_calendar_documents_report_each_problem_at_its_pointer() -> None:
    bad = {
        "week": {"mon": [["10:00", "09:00"]], "tue": [["09:00", "12:00"], ["11:00", "13:00"]]},
        "time_zone": "Mars/Olympus",
        "holidays": [{"from": "2026-02-30"}, {"from": "2026-03-02", "to": "2026-03-01"}],
        "working_days": [{"date": "2026-13-01"}],
    }
    pointers = [e.pointer for e in calendar_errors(bad, "/calendars/x")]
    assert pointers == [
        "/calendars/x/week/mon/0",
        "/calendars/x/week/tue/1",
        "/calendars/x/time_zone",
        "/calendars/x/holidays/0/from",
        "/calendars/x/holidays/1/to",
        "/calendars/x/working_days/0/date",
    ]
    assert [e.pointer for e in calendar_errors({"week": {}})] == ["/week"]


def test_a_calendar_without_working_time_ahead_says_so() -> None:
    cal = load_calendar({"week": {"mon": OFFICE}}, UTC_ZONE)
    closed = Calendar(cal.zone, cal.week, frozenset(), {})
    assert closed.add_working_hours(datetime(2026, 1, 1, tzinfo=UTC), 1) > datetime(
        2026, 1, 1, tzinfo=UTC
    )
    never = Calendar(cal.zone, ((),) * 7)
    with pytest.raises(CalendarError):
        never.add_working_hours(datetime(2026, 1, 1, tzinfo=UTC), 1)


UTC_ZONE = ZoneInfo("UTC")

# -- properties ----------------------------------------------------------------------------

START = date(2026, 1, 1)
_times = st.integers(min_value=0, max_value=24 * 4).map(lambda q: q * 15)


@st.composite
def spans(draw: st.DrawFn) -> list[list[str]]:
    cuts = sorted(draw(st.sets(_times, min_size=2, max_size=6)))
    pairs = [cuts[i : i + 2] for i in range(0, len(cuts) - 1, 2)]
    return [[f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in pairs]


def _day_text(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


@st.composite
def calendars(draw: st.DrawFn, *, uniform: bool = False) -> Calendar:
    """A calendar over 2026–2027: random weeks (every working day the same spans when
    ``uniform``), holidays and adjusted working days, in Shanghai, UTC or Berlin (DST; not
    when ``uniform``: a day the clocks change has an hour more or less)."""
    shared = draw(spans())
    week = {}
    for day in WEEKDAYS:
        if draw(st.booleans()) or day == "wed":
            week[day] = shared if uniform else draw(spans())
    offsets = st.integers(min_value=0, max_value=700)
    holidays = [
        {"from": _day_text(a), "to": _day_text(a + n)}
        for a, n in draw(st.lists(st.tuples(offsets, st.integers(0, 9)), max_size=6))
    ]
    working = [{"date": _day_text(a)} for a in draw(st.lists(offsets, max_size=6))]
    zones = ["Asia/Shanghai", "UTC"] if uniform else ["Asia/Shanghai", "UTC", "Europe/Berlin"]
    zone = draw(st.sampled_from(zones))
    body = {"week": week, "holidays": holidays, "working_days": working, "time_zone": zone}
    assert calendar_errors(body) == []
    return load_calendar(body, UTC_ZONE)


moments = st.integers(min_value=0, max_value=600 * 24 * 4).map(
    lambda q: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * q)
)
amounts = st.integers(min_value=0, max_value=200 * 4).map(lambda q: timedelta(minutes=15 * q))


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, amounts)
def test_adding_working_time_passes_exactly_that_much_working_time(
    cal: Calendar, moment: datetime, amount: timedelta
) -> None:
    due = cal.add_working_time(moment, amount)
    assert due >= moment
    assert cal.working_between(moment, due) == amount
    if amount:  # the earliest such moment: the instant before it is working time
        assert cal.is_working(due - timedelta(microseconds=1))


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, amounts)
def test_taking_working_time_away_undoes_adding_it(
    cal: Calendar, moment: datetime, amount: timedelta
) -> None:
    due = cal.add_working_time(moment, amount)
    back = cal.subtract_working_time(due, amount)
    assert back <= due
    assert cal.working_between(back, due) == amount
    assert back >= moment  # the latest such moment: not before where the count began
    assert cal.add_working_time(back, amount) == due


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, amounts, amounts)
def test_adding_working_time_is_monotonic_and_additive(
    cal: Calendar, moment: datetime, a: timedelta, b: timedelta
) -> None:
    small, big = sorted((a, b))
    assert cal.add_working_time(moment, small) <= cal.add_working_time(moment, big)
    assert cal.add_working_time(cal.add_working_time(moment, a), b) == cal.add_working_time(
        moment, a + b
    )


@settings(max_examples=100, deadline=None)
@given(calendars(), st.integers(min_value=0, max_value=700), st.integers(0, 24 * 4 - 1))
def test_holidays_rest_and_adjusted_days_work(cal: Calendar, offset: int, quarter: int) -> None:
    day = START + timedelta(days=offset)
    moment = datetime.combine(day, datetime.min.time(), tzinfo=cal.zone) + timedelta(
        minutes=15 * quarter
    )
    if day in cal.holidays and day not in cal.working_days:
        assert not cal.is_working(moment)
    if day in cal.working_days:
        assert cal.spans_on(day) == next(w for w in cal.week if w)


@settings(max_examples=100, deadline=None)
@given(calendars(uniform=True), moments, st.integers(min_value=0, max_value=30))
def test_on_uniform_days_n_working_days_are_n_days_of_working_hours(
    cal: Calendar, moment: datetime, days: int
) -> None:
    length = sum((b - a for a, b in cal.intervals_on(_some_working_day(cal))), timedelta())
    by_days = cal.add_working_days(moment, days)
    assert by_days == cal.add_working_time(moment, length * days)
    assert cal.add_working_days(moment, days + 1) > by_days


def _some_working_day(cal: Calendar) -> date:
    day = START
    while not cal.is_working_day(day) or len(cal.intervals_on(day)) != len(cal.spans_on(day)):
        day += timedelta(days=1)
    return day
