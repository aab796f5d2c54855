"""A calendar as JSON: its schema (a section of the app document, ``calendars``) and the checks
a schema cannot express (times in order, dates that exist, a week with some working time)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jimu.errors import FieldError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_LABEL = {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1}
_SPAN = {
    "type": "array",
    "prefixItems": [
        {"type": "string", "pattern": TIME_PATTERN},
        {"type": "string", "pattern": TIME_PATTERN},
    ],
    "minItems": 2,
    "maxItems": 2,
}
_DAY = {"type": "array", "items": _SPAN, "maxItems": 8}
CALENDAR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "label": _LABEL,
        "time_zone": {"type": "string", "minLength": 1, "maxLength": 64},
        "week": {
            "type": "object",
            "properties": {day: _DAY for day in WEEKDAYS},
            "additionalProperties": False,
        },
        "holidays": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "from": {"type": "string", "pattern": DATE_PATTERN},
                    "to": {"type": "string", "pattern": DATE_PATTERN},
                    "name": _LABEL,
                },
                "required": ["from"],
                "additionalProperties": False,
            },
        },
        "working_days": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "pattern": DATE_PATTERN},
                    "as": {"enum": list(WEEKDAYS)},
                    "name": _LABEL,
                },
                "required": ["date"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["week"],
    "additionalProperties": False,
}


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def calendar_errors(body: Mapping[str, Any], at: str = "") -> list[FieldError]:
    """The problems of one schema-valid calendar, each at its pointer under ``at``."""
    problems: list[FieldError] = []
    total = 0
    for day, spans in body["week"].items():
        last_end = -1
        for i, (start, end) in enumerate(spans):
            begin, finish = _minutes(start), _minutes(end)
            if begin >= finish:
                problems.append(
                    FieldError(
                        f"{at}/week/{day}/{i}", f"{start}–{end}: the end is not after the start"
                    )
                )
            elif begin < last_end:
                problems.append(
                    FieldError(
                        f"{at}/week/{day}/{i}",
                        f"{start}–{end} overlaps or precedes the span before",
                    )
                )
            else:
                total += finish - begin
            last_end = max(last_end, finish)
    if total == 0:
        problems.append(FieldError(f"{at}/week", "the week has no working hours"))
    zone = body.get("time_zone")
    if zone is not None:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(
                FieldError(f"{at}/time_zone", f"{zone!r} is not an IANA time zone", "time_zone")
            )
    for i, holiday in enumerate(body.get("holidays", [])):
        first = _day(holiday["from"])
        if first is None:
            problems.append(FieldError(f"{at}/holidays/{i}/from", "not a date", "date"))
        last = _day(holiday["to"]) if "to" in holiday else first
        if last is None and "to" in holiday:
            problems.append(FieldError(f"{at}/holidays/{i}/to", "not a date", "date"))
        elif first is not None and last is not None and last < first:
            problems.append(FieldError(f"{at}/holidays/{i}/to", "before 'from'"))
    for i, working in enumerate(body.get("working_days", [])):
        if _day(working["date"]) is None:
            problems.append(FieldError(f"{at}/working_days/{i}/date", "not a date", "date"))
    return problems
