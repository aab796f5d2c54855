"""Dates and date-times: parsing ISO text, calendar arithmetic, starts of periods.

Naive date-times are taken as UTC. Weeks start on Monday. Units are ``year``, ``quarter``,
``month``, ``week``, ``day``, ``hour``, ``minute`` and ``second``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from jimu.engines.expr.errors import ExprError

UNITS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
CALENDAR_UNITS = ("year", "quarter", "month", "week", "day")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_temporal(text: str) -> date | None:
    """An ISO date (``2024-01-31``) or date-time (``2024-01-31T08:00:00Z``), else ``None``."""
    text = text.strip()
    try:
        if _DATE_ONLY.match(text):
            return date.fromisoformat(text)
        if len(text) >= 10 and text[4] == "-":
            return as_aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None
    return None


def to_date(value: Any) -> date | None:
    """A calendar date from a date, date-time or ISO text; ``None`` stays ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_aware(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        parsed = parse_temporal(value)
        if parsed is not None:
            return parsed.date() if isinstance(parsed, datetime) else parsed
    raise ExprError(f"{value!r} is not a date", error_type="Invalid Arguments")


def to_datetime(value: Any) -> datetime | None:
    """A UTC date-time from a date (midnight), date-time or ISO text; ``None`` stays ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_aware(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        parsed = parse_temporal(value)
        if parsed is not None:
            return to_datetime(parsed)
    raise ExprError(f"{value!r} is not a date-time", error_type="Invalid Arguments")


def to_temporal(value: Any) -> date | None:
    """Keep dates as dates and date-times as (UTC) date-times; parse ISO text."""
    if isinstance(value, datetime):
        return as_aware(value)
    if isinstance(value, date) or value is None:
        return value
    if isinstance(value, str):
        if value == "":
            return None
        parsed = parse_temporal(value)
        if parsed is not None:
            return parsed
    raise ExprError(f"{value!r} is not a date", error_type="Invalid Arguments")


def check_unit(unit: Any) -> str:
    if unit not in UNITS:
        raise ExprError(
            f"unknown unit {unit!r}; use one of {', '.join(UNITS)}",
            error_type="Invalid Arguments",
        )
    return str(unit)


def shift(value: Any, amount: Any, unit: Any) -> date | None:
    """``value`` moved by ``amount`` units (months clamp to the month's last day)."""
    unit = check_unit(unit)
    moment = to_temporal(value)
    if moment is None or amount is None:
        return None
    n = int(amount)
    start: Any = moment
    if unit not in CALENDAR_UNITS and not isinstance(moment, datetime):
        start = to_datetime(moment)
    delta: relativedelta | timedelta
    if unit == "year":
        delta = relativedelta(years=n)
    elif unit == "quarter":
        delta = relativedelta(months=3 * n)
    elif unit == "month":
        delta = relativedelta(months=n)
    elif unit == "week":
        delta = timedelta(weeks=n)
    elif unit == "day":
        delta = timedelta(days=n)
    elif unit == "hour":
        delta = timedelta(hours=n)
    elif unit == "minute":
        delta = timedelta(minutes=n)
    else:
        delta = timedelta(seconds=n)
    result: date = start + delta
    return result


def _months_between(a: date, b: date) -> int:
    delta = relativedelta(b, a)
    return delta.years * 12 + delta.months


def difference(a: Any, b: Any, unit: Any) -> int | None:
    """Whole ``unit``s from ``a`` to ``b`` (``b`` minus ``a``), truncated toward zero."""
    unit = check_unit(unit)
    first, second = to_temporal(a), to_temporal(b)
    if first is None or second is None:
        return None
    if isinstance(first, datetime) or isinstance(second, datetime):
        first, second = to_datetime(first), to_datetime(second)
    assert first is not None and second is not None
    if unit in ("year", "quarter", "month"):
        months = _months_between(first, second)
        per = {"year": 12, "quarter": 3, "month": 1}[unit]
        return int(months / per)
    if isinstance(first, datetime) and isinstance(second, datetime):
        seconds = (second - first).total_seconds()
    else:
        seconds = float((second - first).days * 86400)
    per_unit = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60, "second": 1}[unit]
    return int(seconds / per_unit)


def start_of(value: Any, unit: Any) -> date | None:
    """The first moment of the ``unit`` that holds ``value`` (weeks start on Monday)."""
    unit = check_unit(unit)
    moment = to_temporal(value)
    if moment is None:
        return None
    if isinstance(moment, datetime):
        day_start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        if unit == "hour":
            return moment.replace(minute=0, second=0, microsecond=0)
        if unit == "minute":
            return moment.replace(second=0, microsecond=0)
        if unit == "second":
            return moment.replace(microsecond=0)
        calendar = _calendar_start(moment.date(), unit)
        return day_start.replace(year=calendar.year, month=calendar.month, day=calendar.day)
    return _calendar_start(moment, unit) if unit in CALENDAR_UNITS else moment


def _calendar_start(day: date, unit: str) -> date:
    if unit == "year":
        return day.replace(month=1, day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if unit == "month":
        return day.replace(day=1)
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day


def within(value: Any, amount: Any, unit: Any, now: datetime, today: date, past: bool) -> bool:
    """``now - n unit <= value <= now`` (``past``) or ``now <= value <= now + n unit``.

    Dates are measured against today, date-times against now.
    """
    moment = to_temporal(value)
    if moment is None or amount is None:
        return False
    anchor: date = as_aware(now) if isinstance(moment, datetime) else today
    other = shift(anchor, -amount if past else amount, unit)
    assert other is not None
    if isinstance(moment, datetime) and not isinstance(other, datetime):
        other = to_datetime(other)
    assert other is not None
    low, high = (other, anchor) if past else (anchor, other)
    if not isinstance(moment, datetime) and isinstance(low, datetime):
        low_date, high_date = low.date(), high.date() if isinstance(high, datetime) else high
        return bool(low_date <= moment <= high_date)
    return bool(low <= moment <= high)
