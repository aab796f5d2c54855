"""Randomness and time: the seeded generator, business hours in China, the seasonal calendar."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from catalog import ANCHOR, CST, MONTH_WEIGHT, WINDOW_START

T = TypeVar("T")


class Rand(random.Random):
    """random.Random with the few helpers the generator needs."""

    def weighted(self, pairs: Sequence[tuple[T, float]]) -> T:
        items, weights = zip(*pairs, strict=True)
        return self.choices(items, weights=weights)[0]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def digits(self, template: str) -> str:
        return "".join(str(self.randrange(10)) if c == "#" else c for c in template)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: Decimal | int | float) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def percent(value: Decimal | int | float) -> str:
    """A percent field's JSON value: the number of percent (15 -> "15.00")."""
    return str(Decimal(value).quantize(Decimal("0.01")))


def clamp_time(moment: datetime, latest: datetime = ANCHOR - timedelta(minutes=5)) -> datetime:
    return min(moment, latest)


def business_time(rng: Rand, day: date) -> datetime:
    """A moment in Chinese business hours (09:00-19:00 CST, a few evenings) on ``day``."""
    hour = rng.weighted(
        [
            (9, 6),
            (10, 10),
            (11, 9),
            (12, 3),
            (13, 5),
            (14, 9),
            (15, 9),
            (16, 8),
            (17, 6),
            (18, 3),
            (20, 2),
            (21, 1),
        ]
    )
    local = datetime(
        day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=UTC
    )
    return local - CST


def later(rng: Rand, start: datetime, min_hours: float, max_hours: float) -> datetime:
    return start + timedelta(seconds=int(rng.uniform(min_hours, max_hours) * 3600))


class Calendar:
    """Days of the sample year with a weight for how busy each is."""

    def __init__(self) -> None:
        first = WINDOW_START.date()
        self.days = [first + timedelta(days=i) for i in range(365)]
        self.weights = [self.weight(d) for d in self.days]

    @staticmethod
    def weight(day: date) -> float:
        weekday = 0.3 if day.weekday() >= 5 else 1.0
        # the week of Spring Festival 2026 (17 Feb) and Golden Week are nearly silent
        holiday = 0.15 if date(2026, 2, 15) <= day <= date(2026, 2, 23) else 1.0
        if date(2026, 10, 1) <= day <= date(2026, 10, 7):
            holiday = 0.2
        return MONTH_WEIGHT[day.month] * weekday * holiday

    def pick(self, rng: Rand, start: date | None = None, end: date | None = None) -> date:
        lo = 0 if start is None else max(0, (start - self.days[0]).days)
        hi = 365 if end is None else min(365, (end - self.days[0]).days + 1)
        if lo >= hi:
            return self.days[min(lo, 364)]
        return rng.choices(self.days[lo:hi], weights=self.weights[lo:hi])[0]
