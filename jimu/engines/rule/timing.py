"""Time triggers, pure: what a record event does to a rule's timer, and when a timer is due.

- ``{"on": "schedule", "cron": "0 9 * * 1-5"}``: at those times (in the app's time zone), the
  rule runs on every record of its entity for which its condition holds.
- ``{"on": "time", "field": "due_at", "offset": {"amount": -1, "unit": "day"}}``: once per
  record, that long before (negative) or after the date in the field.
- ``{"on": "unchanged", "fields": ["owner_id"], "for": {"amount": 48, "unit": "hour"}}``: once
  per record when none of those fields changed for that long (since the record was created or
  one of them last changed).

Minutes and hours are exact durations; days are calendar days in the app's time zone (one day
before 09:00 is 09:00 the day before, across a daylight-saving change too).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from jimu.engines.rule.cron import Cron, parse_cron

#: Triggers that wait for a time rather than a record event.
TIMER_TRIGGERS = ("schedule", "time", "unchanged")
#: Triggers that keep one timer per record.
RECORD_TIMER_TRIGGERS = ("time", "unchanged")
UNITS = ("minute", "hour", "day")
#: What a record event does to a record's timer.
PLAN, DROP = "plan", "drop"


@dataclass(frozen=True, slots=True)
class Offset:
    amount: int
    unit: str  # minute / hour / day

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> Offset:
        return cls(int(spec["amount"]), str(spec["unit"]))

    def shift(self, moment: datetime, zone: tzinfo) -> datetime:
        """``moment`` (aware) moved by this offset; the answer is aware, in UTC."""
        if self.unit == "day":
            local = moment.astimezone(zone).replace(tzinfo=None) + timedelta(days=self.amount)
            return _localize(local, zone)
        seconds = 60 if self.unit == "minute" else 3600
        return (moment + timedelta(seconds=self.amount * seconds)).astimezone(UTC)


def _localize(local: datetime, zone: tzinfo) -> datetime:
    """A wall-clock time in ``zone`` as UTC: in the repeated hour its first occurrence, in a
    daylight-saving gap the same time on the clock after the change (02:30 → 03:30)."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def moment_of(value: Any, zone: tzinfo) -> datetime | None:
    """A date or datetime field's value as an aware UTC datetime (None when empty or not a
    date). A date alone is its 00:00 in ``zone``; a datetime without a zone is taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = (
                datetime.fromisoformat(value)
                if "T" in value or " " in value
                else (date.fromisoformat(value))
            )
        except ValueError:
            return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, date):
        return _localize(datetime.combine(value, time()), zone)
    return None


def timer_change(trigger: Mapping[str, Any], kind: str, changed: Collection[str]) -> str | None:
    """What a record event (``kind``, the fields it changed) does to the record's timer of a
    rule with ``trigger``: ``PLAN`` (plan it, or plan it again), ``DROP``, or None."""
    on = trigger.get("on")
    if on not in RECORD_TIMER_TRIGGERS:
        return None
    if kind in ("deleted", "purged"):
        return DROP
    if kind in ("created", "restored"):
        return PLAN
    if kind == "updated":
        watched = [trigger["field"]] if on == "time" else list(trigger.get("fields", ()))
        return PLAN if any(name in changed for name in watched) else None
    return None


def time_due(trigger: Mapping[str, Any], value: Any, zone: tzinfo) -> datetime | None:
    """When a ``time`` trigger's timer is due for a record whose field holds ``value``
    (None when the field is empty: the record has no timer)."""
    moment = moment_of(value, zone)
    if moment is None:
        return None
    try:
        return Offset.of(trigger["offset"]).shift(moment, zone)
    except OverflowError:  # a date at the end of the calendar: its time never comes
        return None


def unchanged_due(trigger: Mapping[str, Any], since: datetime, zone: tzinfo) -> datetime:
    """When an ``unchanged`` trigger fires for fields last changed at ``since``."""
    return Offset.of(trigger["for"]).shift(since, zone)


def schedule_of(trigger: Mapping[str, Any]) -> Cron:
    return parse_cron(str(trigger["cron"]))


def next_schedule(trigger: Mapping[str, Any], after: datetime, zone: tzinfo) -> datetime:
    """The first time of a ``schedule`` trigger strictly after ``after``, in UTC."""
    return schedule_of(trigger).next_after(after, zone)


def history_unchanged_due(
    trigger: Mapping[str, Any],
    since: datetime,
    history_end: datetime,
    now: datetime,
    zone: tzinfo,
) -> datetime | None:
    """When an ``unchanged`` trigger fires for a record of loaded history (sample data):
    the history is taken to end ``now``, so the quiet time counts from ``since`` to
    ``history_end`` and goes on from ``now``. None when it had already passed when the history
    ended: the history's records are as the rules left them, so that firing is in the past."""
    due = unchanged_due(trigger, since, zone)
    if due <= history_end:
        return None
    return due + max(now - history_end, timedelta())
