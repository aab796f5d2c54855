"""Working time: which moments of a calendar are working, and adding working hours or days.

A :class:`Calendar` is read from its JSON (``load_calendar``): ``week`` gives each weekday's
working spans (``[["09:00", "12:00"], ["13:00", "18:00"]]``; a weekday left out rests),
``holidays`` are days off (``from``–``to``, inclusive) and ``working_days`` are adjusted working
days (调休: a weekend day that is worked, with the hours of the weekday ``as``, by default the
first weekday that has hours). An adjusted working day wins over a holiday on the same date.
Spans are local times of the calendar's zone; moments are aware datetimes (any zone in,
UTC out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jimu.engines.calendar.document import WEEKDAYS
from jimu.errors import JimuError

#: How far a computation may look ahead before it judges the calendar has no working time
#: left (a hundred years).
MAX_DAYS = 36_600
Span = tuple[int, int]  # minutes after local midnight: [start, end)


class CalendarError(JimuError):
    """A computation the calendar cannot answer (no working time within ``MAX_DAYS``)."""


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _spans(raw: Any) -> tuple[Span, ...]:
    return tuple((_minutes(str(s)), _minutes(str(e))) for s, e in raw)


@dataclass(frozen=True)
class Calendar:
    """Working spans per weekday (0 = Monday), days off and adjusted working days."""

    zone: ZoneInfo
    week: tuple[tuple[Span, ...], ...]
    holidays: frozenset[date] = frozenset()
    working_days: Mapping[date, tuple[Span, ...]] = field(default_factory=dict)

    # -- days -----------------------------------------------------------------------------

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The working spans of a local date (empty: a day off)."""
        if day in self.working_days:
            return self.working_days[day]
        if day in self.holidays:
            return ()
        return self.week[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        return bool(self.spans_on(day))

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of a local date as UTC moments, in order."""
        midnight = datetime.combine(day, time(), tzinfo=self.zone)
        return [
            (self._at(midnight, start), self._at(midnight, end))
            for start, end in self.spans_on(day)
        ]

    def _at(self, midnight: datetime, minutes: int) -> datetime:
        local = midnight.replace(tzinfo=None) + timedelta(minutes=minutes)
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def _local_day(self, moment: datetime) -> date:
        return _aware(moment).astimezone(self.zone).date()

    # -- moments --------------------------------------------------------------------------

    def is_working(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in a working interval (start included, end not)."""
        moment = _aware(moment)
        day = self._local_day(moment)
        return any(start <= moment < end for start, end in self.intervals_on(day))

    def working_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in [start, end) (zero when end is not after start)."""
        start, end = _aware(start), _aware(end)
        total = timedelta()
        if end <= start:
            return total
        day = self._local_day(start)
        last = self._local_day(end)
        while day <= last:
            for a, b in self.intervals_on(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def add_working_time(self, moment: datetime, amount: timedelta) -> datetime:
        """The earliest moment by which ``amount`` of working time has passed since ``moment``
        (``moment`` itself for zero)."""
        moment = _aware(moment).astimezone(UTC)
        if amount < timedelta():
            raise CalendarError("working time is added, not taken away", code="calendar")
        if amount == timedelta():
            return moment
        remaining = amount
        day = self._local_day(moment)
        for _ in range(MAX_DAYS):
            for start, end in self.intervals_on(day):
                if end <= moment:
                    continue
                begin = max(start, moment)
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
            day += timedelta(days=1)
        raise CalendarError("the calendar has no working time left", code="calendar")

    def subtract_working_time(self, moment: datetime, amount: timedelta) -> datetime:
        """The latest moment from which ``amount`` of working time passes by ``moment``
        (``moment`` itself for zero): a reminder "4 working hours before" the due time."""
        moment = _aware(moment).astimezone(UTC)
        if amount < timedelta():
            raise CalendarError("working time is taken away, not added", code="calendar")
        if amount == timedelta():
            return moment
        remaining = amount
        day = self._local_day(moment)
        for _ in range(MAX_DAYS):
            for start, end in reversed(self.intervals_on(day)):
                if start >= moment:
                    continue
                finish = min(end, moment)
                if remaining <= finish - start:
                    return finish - remaining
                remaining -= finish - start
            day -= timedelta(days=1)
        raise CalendarError("the calendar has no working time before", code="calendar")

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        return self.add_working_time(moment, timedelta(hours=hours))

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """The same point of the working day, ``days`` working days later.

        The day counted from is the first working day with working time left at ``moment``;
        the point is the working time already passed on it. A moment before that day's work
        (or on a day off) lands at the end of the working day before the target day — the
        earliest moment with the same working time passed."""
        moment = _aware(moment).astimezone(UTC)
        if days < 0:
            raise CalendarError("working days are added, not taken away", code="calendar")
        if days == 0:
            return moment
        day = self._local_day(moment)
        for _ in range(MAX_DAYS):
            if any(end > moment for _, end in self.intervals_on(day)):
                break
            day += timedelta(days=1)
        else:
            raise CalendarError("the calendar has no working time left", code="calendar")
        first = self.intervals_on(day)[0][0]
        passed = self.working_between(first, moment) if moment > first else timedelta()
        working: list[date] = []
        target = day
        while len(working) < days:
            target += timedelta(days=1)
            if self.is_working_day(target):
                working.append(target)
            if (target - day).days > MAX_DAYS:
                raise CalendarError("the calendar has no working time left", code="calendar")
        if passed == timedelta():
            before = working[-2] if days > 1 else day
            return self.intervals_on(before)[-1][1]
        intervals = self.intervals_on(target)
        length = sum((b - a for a, b in intervals), timedelta())
        if passed >= length:
            return intervals[-1][1]
        return self.add_working_time(intervals[0][0], passed)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _dates(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def load_calendar(body: Mapping[str, Any], zone: ZoneInfo) -> Calendar:
    """The calendar of a checked document (``calendar_errors`` found nothing); ``zone`` is the
    app's, used unless the calendar names its own ``time_zone``."""
    week_raw = body["week"]
    week = tuple(_spans(week_raw.get(day, [])) for day in WEEKDAYS)
    default = next((w for w in week if w), ())
    holidays = frozenset(
        d for h in body.get("holidays", []) for d in _dates(h["from"], h.get("to", h["from"]))
    )
    working = {
        date.fromisoformat(w["date"]): week[WEEKDAYS.index(w["as"])] if "as" in w else default
        for w in body.get("working_days", [])
    }
    own = body.get("time_zone")
    return Calendar(ZoneInfo(str(own)) if own else zone, week, holidays, working)
