"""Time triggers, pure: cron parsing and next times (time zones, daylight saving), offsets,
what a record event does to a timer, and the trigger checks with their JSON pointers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jimu.engines.rule.actions import RuleScope
from jimu.engines.rule.cron import CronError, parse_cron
from jimu.engines.rule.document import rule_errors
from jimu.engines.rule.timing import (
    DROP,
    PLAN,
    Offset,
    moment_of,
    next_schedule,
    time_due,
    timer_change,
    unchanged_due,
)
from jimu.metadata.time_zone import app_time_zone, time_zone_errors

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_weekdays_at_nine_in_the_apps_zone() -> None:
    trigger = {"on": "schedule", "cron": "0 9 * * 1-5"}
    # Friday 2026-12-04 10:00 in Shanghai (02:00 UTC): next is Monday 09:00 (01:00 UTC)
    assert next_schedule(trigger, utc(2026, 12, 4, 2, 0), SHANGHAI) == utc(2026, 12, 7, 1, 0)
    # Monday before nine: the same day
    assert next_schedule(trigger, utc(2026, 12, 7, 0, 30), SHANGHAI) == utc(2026, 12, 7, 1, 0)
    # exactly at a tick: the next one, not the same
    assert next_schedule(trigger, utc(2026, 12, 7, 1, 0), SHANGHAI) == utc(2026, 12, 8, 1, 0)


@pytest.mark.parametrize(
    ("text", "after", "expected"),
    [
        ("*/15 * * * *", utc(2026, 1, 1, 10, 7), utc(2026, 1, 1, 10, 15)),
        ("30 8 1,15 * *", utc(2026, 1, 2, 0, 0), utc(2026, 1, 15, 8, 30)),
        ("0 0 29 2 *", utc(2026, 3, 1, 0, 0), utc(2028, 2, 29, 0, 0)),
        ("0 12 * jan-mar sun", utc(2026, 3, 30, 0, 0), utc(2027, 1, 3, 12, 0)),
        ("0 0 * * 7", utc(2026, 12, 7, 0, 0), utc(2026, 12, 13, 0, 0)),  # 7 is Sunday too
        ("@daily", utc(2026, 12, 7, 5, 0), utc(2026, 12, 8, 0, 0)),
        # day of month and weekday both given: either matches (crontab)
        ("0 0 13 * 5", utc(2026, 12, 5, 0, 0), utc(2026, 12, 11, 0, 0)),
    ],
)
def test_next_times(text: str, after: datetime, expected: datetime) -> None:
    assert parse_cron(text).next_after(after, UTC) == expected


def test_daylight_saving_gap_is_skipped_and_repeated_hour_fires_once() -> None:
    # 2026-03-08: New York jumps from 02:00 to 03:00; 02:30 does not exist that day
    cron = parse_cron("30 2 * * *")
    assert cron.next_after(utc(2026, 3, 7, 12, 0), NEW_YORK) == utc(2026, 3, 9, 6, 30)
    # 2026-11-01: 01:30 happens twice; it fires at the first one only
    hourly = parse_cron("30 1 * * *")
    first = hourly.next_after(utc(2026, 11, 1, 0, 0), NEW_YORK)
    assert first == utc(2026, 11, 1, 5, 30)
    assert hourly.next_after(first, NEW_YORK) == utc(2026, 11, 2, 6, 30)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0 9 * *", "5 fields"),
        ("61 * * * *", "the minute field: 61 is out of 0-59"),
        ("0 24 * * *", "the hour field: 24 is out of 0-23"),
        ("0 9 * * mon-xyz", "the day of week field: 'xyz' is not a number"),
        ("0 9 5-1 * *", "runs backwards"),
        ("*/0 * * * *", "the step '0'"),
        ("0 0 31 2 *", "names no day that exists"),
        ("0 9 1,,2 * *", "empty item"),
    ],
)
def test_bad_cron_says_which_field(text: str, words: str) -> None:
    with pytest.raises(CronError, match=words):
        parse_cron(text)


def test_offsets_minutes_hours_exact_days_on_the_calendar() -> None:
    due = utc(2026, 3, 9, 13, 0)  # 09:00 in New York (after the change to summer time)
    assert Offset(-1, "day").shift(due, NEW_YORK) == utc(2026, 3, 8, 13, 0)  # 09:00 too
    assert Offset(-24, "hour").shift(due, NEW_YORK) == utc(2026, 3, 8, 13, 0)
    assert Offset(-2, "day").shift(due, NEW_YORK) == utc(2026, 3, 7, 14, 0)  # 09:00 EST
    assert Offset(90, "minute").shift(due, UTC) == utc(2026, 3, 9, 14, 30)


def test_dates_are_midnight_in_the_zone_datetimes_are_instants() -> None:
    assert moment_of("2026-12-09", SHANGHAI) == utc(2026, 12, 8, 16, 0)
    assert moment_of(date(2026, 12, 9), UTC) == utc(2026, 12, 9, 0, 0)
    assert moment_of("2026-12-08T01:00:00Z", SHANGHAI) == utc(2026, 12, 8, 1, 0)
    assert moment_of(datetime(2026, 12, 8, 1, 0), SHANGHAI) == utc(2026, 12, 8, 1, 0)
    assert moment_of(None, UTC) is None
    assert moment_of("", UTC) is None
    assert moment_of("soon", UTC) is None
    trigger = {"on": "time", "field": "due", "offset": {"amount": -1, "unit": "day"}}
    assert time_due(trigger, "2026-12-09", SHANGHAI) == utc(2026, 12, 7, 16, 0)
    assert time_due(trigger, None, SHANGHAI) is None
    later = {"on": "time", "field": "due", "offset": {"amount": 5, "unit": "day"}}
    assert time_due(later, "9999-12-30", UTC) is None  # past the calendar's end: never
    lapse = {"on": "unchanged", "fields": ["owner"], "for": {"amount": 48, "unit": "hour"}}
    assert unchanged_due(lapse, utc(2026, 12, 7, 9, 0), UTC) == utc(2026, 12, 9, 9, 0)


def test_which_events_plan_or_drop_a_timer() -> None:
    time_trigger = {"on": "time", "field": "due", "offset": {"amount": 1, "unit": "hour"}}
    lapse = {"on": "unchanged", "fields": ["owner", "stage"], "for": {"amount": 2, "unit": "day"}}
    assert timer_change(time_trigger, "created", ()) == PLAN
    assert timer_change(time_trigger, "updated", ("due", "name")) == PLAN
    assert timer_change(time_trigger, "updated", ("name",)) is None
    assert timer_change(time_trigger, "deleted", ()) == DROP
    assert timer_change(time_trigger, "purged", ()) == DROP
    assert timer_change(time_trigger, "restored", ()) == PLAN
    assert timer_change(lapse, "updated", ("stage",)) == PLAN
    assert timer_change(lapse, "updated", ("score",)) is None
    assert timer_change({"on": "schedule", "cron": "@daily"}, "created", ()) is None
    assert timer_change({"on": "created"}, "created", ()) is None


SCOPE = RuleScope(
    types={"lead": {"id": "number", "name": "text", "due": "date", "owner": "number",
                    "when": "any", "created_at": "datetime"}},
    dates={"lead": frozenset({"due", "when"})},
)  # fmt: skip


def errors(trigger: dict[str, Any]) -> list[tuple[str, str]]:
    body = {"kind": "rule", "name": "r", "entity": "lead", "trigger": trigger,
            "actions": [{"type": "set_fields", "values": {"name": "x"}}]}  # fmt: skip
    return [(e.pointer, e.message) for e in rule_errors(body, SCOPE)]


def test_trigger_checks_point_at_the_problem() -> None:
    assert errors({"on": "schedule", "cron": "0 9 * * 1-5"}) == []
    assert errors({"on": "schedule", "cron": "0 25 * * *"}) == [
        ("/trigger/cron", "the hour field: 25 is out of 0-23")
    ]
    required = ("/trigger/cron", "is required for the 'schedule' trigger")
    assert errors({"on": "schedule"}) == [required]
    assert errors({"on": "schedule", "cron": "@daily", "fields": ["name"]})[0][0] == (
        "/trigger/fields"
    )
    offset = {"amount": -1, "unit": "day"}
    assert errors({"on": "time", "field": "due", "offset": offset}) == []
    assert errors({"on": "time", "field": "when", "offset": offset}) == []
    assert errors({"on": "time", "field": "created_at", "offset": offset}) == []
    assert errors({"on": "time", "field": "name", "offset": offset}) == [
        ("/trigger/field", "'name' is not a date or date-time field")
    ]
    assert errors({"on": "time", "field": "nope", "offset": offset}) == [
        ("/trigger/field", "'lead' has no field 'nope'")
    ]
    assert errors({"on": "time", "field": "due"}) == [
        ("/trigger/offset", "is required for the 'time' trigger")
    ]
    lapse = {"amount": 48, "unit": "hour"}
    assert errors({"on": "unchanged", "fields": ["owner"], "for": lapse}) == []
    assert errors({"on": "unchanged", "fields": ["ghost"], "for": lapse}) == [
        ("/trigger/fields/0", "'lead' has no field 'ghost'")
    ]
    never = {"amount": 0, "unit": "hour"}
    assert errors({"on": "unchanged", "fields": ["owner"], "for": never}) == [
        ("/trigger/for/amount", "must be more than 0")
    ]
    assert errors({"on": "created", "cron": "@daily"}) == [
        ("/trigger/cron", "the 'created' trigger takes no 'cron'")
    ]


def test_app_time_zone_and_its_check() -> None:
    assert app_time_zone({"time_zone": "Asia/Shanghai"}, "UTC") == SHANGHAI
    assert app_time_zone({}, "America/New_York") == NEW_YORK
    assert app_time_zone({}, "Not/AZone") == ZoneInfo("UTC")
    assert time_zone_errors({"time_zone": "Asia/Shanghai"}) == []
    assert [e.pointer for e in time_zone_errors({"time_zone": "Mars/Olympus"})] == ["/time_zone"]
