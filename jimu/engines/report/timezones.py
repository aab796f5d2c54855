"""Dates in the app's time zone on both dialects: local wall time, grain keys, ranges.

A grain key is text, the same on SQLite and PostgreSQL: ``YYYY-MM-DD`` for day, week (its
Monday), month (its first day), quarter and year, ``YYYY-MM-DD HH:00`` for hour.

PostgreSQL converts with its own time zone database (``timezone(zone, column)``). SQLite has
none: the offset of a fixed zone is one modifier (``datetime(column, '+480 minutes')``); a zone
with daylight saving gets a CASE over its transitions from 1990 to 2060 (computed once per
zone from Python's zoneinfo), outside which the nearest known offset applies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

Expr = sa.ColumnElement[Any]

_FIRST_YEAR, _LAST_YEAR = 1990, 2060


def zone(name: str) -> ZoneInfo | None:
    """The zone of an IANA name, or None if it is not known."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset_minutes(tz: ZoneInfo, at: datetime) -> int:
    offset = at.astimezone(tz).utcoffset() or timedelta()
    return int(offset.total_seconds() // 60)


@lru_cache(maxsize=64)
def transitions(name: str) -> tuple[int, tuple[tuple[datetime, int], ...]]:
    """(offset before the first transition, ((UTC instant, offset from then on), ...))."""
    tz = ZoneInfo(name)
    start = datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC)
    first = _offset_minutes(tz, start)
    found: list[tuple[datetime, int]] = []
    current, at = first, start
    end = datetime(_LAST_YEAR, 1, 1, tzinfo=UTC)
    while at < end:
        step = at + timedelta(days=1)
        offset = _offset_minutes(tz, step)
        if offset != current:
            low, high = at, step  # the change is in (low, high]: find its minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset_minutes(tz, middle) == current:
                    low = middle
                else:
                    high = middle
            instant = high.replace(second=0, microsecond=0)
            found.append((instant, offset))
            current = offset
        at = step
    return first, tuple(found)


def text(value: str) -> Expr:
    """A text constant written into the SQL (not a parameter): PostgreSQL matches a GROUP BY
    expression to its SELECT twin only when their constants are literally the same."""
    return sa.literal_column("'" + value.replace("'", "''") + "'", sa.Text())


def _modifier(minutes: int) -> str:
    return f"{minutes:+d} minutes"


def _sqlite_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def local_time(column: Expr, dialect: str, zone_name: str, *, is_date: bool) -> Expr:
    """The column's wall-clock time in ``zone_name`` (a date column is already local)."""
    if dialect == "postgresql":
        if is_date:
            return sa.cast(column, sa.DateTime())
        return sa.func.timezone(text(zone_name), column)
    # Every use is the argument of SQLite's date functions (``grain_key``), which read a time
    # string as it is: a date, or a UTC time in a UTC app, goes in bare. Wrapped in
    # ``datetime()`` it was parsed and formatted once more per row (twice the time of a
    # "by month" chart on a million rows; bench/reports_marketing.py).
    if is_date:
        return column
    # Whole seconds first: SQLite's date functions round to the millisecond, so 10:59:59.9996
    # would land in the 11 o'clock hour (and 23:59:59.9996 on the next day).
    seconds = sa.func.substr(column, text("1"), text("19"))
    first, changes = transitions(zone_name)
    if not changes:
        if first == 0:
            return seconds
        return sa.func.datetime(seconds, text(_modifier(first)))
    whens = []
    before = first
    for instant, offset in changes:
        whens.append((column < text(_sqlite_text(instant)), _modifier(before)))
        before = offset
    modifier = sa.case(
        *((cond, text(modifier)) for cond, modifier in whens),
        else_=text(_modifier(before)),
    )
    return sa.func.datetime(seconds, modifier)


_PG_TRUNC_FORMAT = {"hour": "YYYY-MM-DD HH24:00"}


def grain_key(local: Expr, grain: str, dialect: str) -> Expr:
    """The text key of the period of ``grain`` that contains the local time ``local``."""
    if dialect == "postgresql":
        truncated = sa.func.date_trunc(text(grain), local)
        pattern = _PG_TRUNC_FORMAT.get(grain, "YYYY-MM-DD")
        return sa.func.to_char(truncated, text(pattern), type_=sa.Text())
    if grain == "hour":
        return sa.func.strftime(text("%Y-%m-%d %H:00"), local, type_=sa.Text())
    if grain == "day":
        return sa.func.date(local, type_=sa.Text())
    if grain == "week":
        return sa.func.date(local, text("weekday 0"), text("-6 days"), type_=sa.Text())
    if grain == "month":
        return sa.func.strftime(text("%Y-%m-01"), local, type_=sa.Text())
    if grain == "year":
        return sa.func.strftime(text("%Y-01-01"), local, type_=sa.Text())
    month = sa.cast(sa.func.strftime(text("%m"), local), sa.Integer)
    one, three = sa.literal_column("1", sa.Integer), sa.literal_column("3", sa.Integer)
    first_month = ((month - one) // three) * three + one
    year = sa.func.strftime(text("%Y"), local, type_=sa.Text())
    two_digits = sa.func.substr(text("0").concat(sa.Grouping(first_month)), -2, type_=sa.Text())
    return year.concat(text("-")).concat(two_digits).concat(text("-01"))  # NULL stays NULL


# -- periods in Python (ranges, drill-downs) ---------------------------------------------------


def period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    return day


def add_periods(day: date, grain: str, count: int) -> date:
    if grain == "day":
        return day + timedelta(days=count)
    if grain == "week":
        return day + timedelta(weeks=count)
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * count
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def relative_range(
    name: str, today: date, n: int | None = None, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The local dates [start, end) a relative range covers on ``today``."""
    if name == "today":
        return today, today + timedelta(days=1)
    if name == "yesterday":
        return today - timedelta(days=1), today
    if name == "last_n_days":  # the last n days, today included
        count = n or 1
        return today - timedelta(days=count - 1), today + timedelta(days=1)
    if name == "previous_n_days":  # the n days before the last n days
        count = n or 1
        return today - timedelta(days=2 * count - 1), today - timedelta(days=count - 1)
    if name == "between":
        assert start is not None and end is not None
        return start, end + timedelta(days=1)
    which, grain = name.split("_", 1)
    first = period_start(today, grain)
    if which == "previous":
        first = add_periods(first, grain, -1)
    return first, add_periods(first, grain, 1)


def local_midnight(day: date, zone_name: str) -> datetime:
    """The UTC instant local midnight of ``day`` is in ``zone_name``."""
    tz = ZoneInfo(zone_name)
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def key_period(key: str, grain: str) -> tuple[datetime, datetime]:
    """The local wall-clock [start, end) of a grain key (naive datetimes)."""
    if grain == "hour":
        start = datetime.strptime(key, "%Y-%m-%d %H:00")
        return start, start + timedelta(hours=1)
    day = date.fromisoformat(key)
    end = add_periods(day, grain, 1)
    return datetime.combine(day, datetime.min.time()), datetime.combine(end, datetime.min.time())


def to_utc(local: datetime, zone_name: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)
