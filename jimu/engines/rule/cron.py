"""Cron expressions of schedule triggers: parsing with clear errors, and the next time.

Five fields, as in crontab: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or
``jan``-``dec``), day of week (0-7 or ``sun``-``sat``, 0 and 7 are Sunday). Each field is
``*``, a number or name, a range ``a-b``, a step ``*/n`` or ``a-b/n``, or a list of these
(``1,15``). As in crontab, when both the day of month and the day of week are restricted, a day
matching either one counts. ``@hourly``, ``@daily``, ``@weekly``, ``@monthly`` and
``@yearly`` are short for the usual lines.

Times are wall-clock times in a time zone: in a daylight-saving gap, a time that does not
exist is skipped; in the repeated hour, a time fires once (its first occurrence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, DAYS),
)
_SHORTHANDS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
#: How far ahead the next time is looked for (a 29 February falls within eight years).
_HORIZON_DAYS = 8 * 366


class CronError(ValueError):
    """A cron expression that cannot be read; the message says which field and why."""


@dataclass(frozen=True)
class Cron:
    """A parsed cron expression: the allowed values of each field."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday … 6 = Saturday
    any_day: bool
    any_weekday: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.any_day and self.any_weekday:
            return True
        if self.any_day:
            return in_week
        if self.any_weekday:
            return in_month
        return in_month or in_week

    def next_after(self, after: datetime, zone: tzinfo) -> datetime:
        """The first time strictly after ``after`` (aware) that the expression names, as an
        aware UTC datetime, reading the fields as wall-clock times in ``zone``."""
        local = after.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
        local += timedelta(minutes=1)
        limit = local + timedelta(days=_HORIZON_DAYS)
        while local < limit:
            if not self.day_matches(local.date()):
                local = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
                continue
            if local.hour not in self.hours:
                local = local.replace(minute=0) + timedelta(hours=1)
                continue
            if local.minute not in self.minutes:
                local += timedelta(minutes=1)
                continue
            candidate = local.replace(tzinfo=zone)
            in_utc = candidate.astimezone(UTC)
            exists = in_utc.astimezone(zone).replace(tzinfo=None) == local
            if exists and in_utc > after:
                return in_utc
            local += timedelta(minutes=1)
        raise CronError(f"{self.text!r} names no time in the next {_HORIZON_DAYS} days")


def _value(token: str, field: str, low: int, high: int, names: tuple[str, ...]) -> int:
    lowered = token.lower()
    if lowered in names:
        return names.index(lowered) + (1 if names is MONTHS else 0)
    if not token.isdigit():
        raise CronError(f"the {field} field: {token!r} is not a number")
    number = int(token)
    if not low <= number <= high:
        raise CronError(f"the {field} field: {number} is out of {low}-{high}")
    return number


def _field(text: str, field: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CronError(f"the {field} field has an empty item in {text!r}")
        span, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"the {field} field: the step {step_text!r} is not a number >= 1")
            step = int(step_text)
        if span == "*":
            start, end = low, high
        elif "-" in span:
            first, _, last = span.partition("-")
            start = _value(first, field, low, high, names)
            end = _value(last, field, low, high, names)
            if start > end:
                raise CronError(f"the {field} field: the range {span!r} runs backwards")
        else:
            start = end = _value(span, field, low, high, names)
            if step_text:
                end = high
        values.update(range(start, end + 1, step))
    return values


def parse_cron(text: str) -> Cron:
    """Parse ``text``; raises :class:`CronError` naming the field and the problem."""
    line = _SHORTHANDS.get(text.strip().lower(), text)
    parts = line.split()
    if len(parts) != 5:
        raise CronError(
            f"a cron expression has 5 fields (minute hour day month weekday), not {len(parts)}"
        )
    sets = [_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(day % 7 for day in sets[4])
    cron = Cron(
        text,
        frozenset(sets[0]),
        frozenset(sets[1]),
        frozenset(sets[2]),
        frozenset(sets[3]),
        weekdays,
        any_day=parts[2].startswith("*"),
        any_weekday=parts[4].startswith("*"),
    )
    if cron.any_weekday and not any(
        _fits(day, month) for day in cron.days for month in cron.months
    ):
        raise CronError(f"{text!r} names no day that exists (day of month and month)")
    return cron


def _fits(day: int, month: int) -> bool:
    return day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
