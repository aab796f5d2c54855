"""Period comparison (``compare``): a date-filtered chart's measures in the period of its date
range and in the period before it (or the same period a year earlier), with the change.

The chart's one statement reads the rows of both periods (``range OR other range``, so an
index on the date column still serves it) and aggregates each measure twice with a
``CASE WHEN in period`` filter; the change and the change in percent are computed from those
two aggregates in the same SELECT.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from jimu.engines.report import measures as agg
from jimu.engines.report.timezones import add_periods

Expr = sa.ColumnElement[Any]

WITH = ("previous_period", "previous_year")
#: The extra result columns of each compared measure: suffix → (English, Chinese) label words.
SUFFIXES = {
    "previous": ("previous", "上期"),
    "change": ("change", "变化"),
    "change_pct": ("change %", "变化率"),
}
#: Ranges that are one calendar period: their previous period is the calendar period before.
_CALENDAR = {
    "this_week": "week",
    "previous_week": "week",
    "this_month": "month",
    "previous_month": "month",
    "this_quarter": "quarter",
    "previous_quarter": "quarter",
    "this_year": "year",
    "previous_year": "year",
}


def compare_properties() -> dict[str, Any]:
    """The JSON Schema of the ``compare`` key."""
    return {
        "type": "object",
        "properties": {
            "with": {"enum": list(WITH)},
            "range": {"type": "integer", "minimum": 0, "maximum": 7},
        },
        "required": ["with"],
        "additionalProperties": False,
    }


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year - 1, day=28)


def other_period(range_name: str, start: date, end: date, how: str) -> tuple[date, date]:
    """The local dates [start, end) compared with the range [start, end).

    ``previous_period``: the calendar period before for a week/month/quarter/year range,
    else as many days just before. ``previous_year``: the same dates one year earlier."""
    if how == "previous_year":
        return _year_back(start), _year_back(end)
    grain = _CALENDAR.get(range_name)
    if grain is not None:
        return add_periods(start, grain, -1), start
    days = (end - start).days
    return start - timedelta(days=days), start


@dataclass(frozen=True)
class Periods:
    """The two periods of a compared chart: conditions on the date column and their bounds."""

    how: str
    field: str
    current: Expr
    other: Expr
    current_bounds: tuple[date, date]
    other_bounds: tuple[date, date]

    def meta(self) -> dict[str, Any]:
        def bounds(pair: tuple[date, date]) -> dict[str, str]:
            return {
                "from": pair[0].isoformat(),
                "to": (pair[1] - timedelta(days=1)).isoformat(),
            }

        return {
            "with": self.how,
            "field": self.field,
            "current": bounds(self.current_bounds),
            "previous": bounds(self.other_bounds),
        }


def in_period(item: Any, period: Expr, dialect: str) -> Expr:
    """A base measure (``("base", how, value, condition)``) aggregated over one period."""
    _, how, value, condition = item
    both = period if condition is None else sa.and_(condition, period)
    if value is None:
        return agg.aggregate("count", agg.filtered(None, both), dialect)
    return agg.aggregate(how, agg.filtered(value, both), dialect)


def change_columns(current: Expr, previous: Expr) -> tuple[Expr, Expr]:
    """current − previous, and that over previous (a fraction; empty when previous is 0)."""
    change = sa.type_coerce(agg.as_float(current) - agg.as_float(previous), sa.Float)
    return change, agg.divide(change, previous)


def compared_meta(
    measure: Mapping[str, Any], base: dict[str, Any], periods: Periods
) -> list[dict[str, Any]]:
    """The metadata of a measure's previous value, change and change in percent."""
    label = base["label"]
    result = []
    for suffix, (en, zh) in SUFFIXES.items():
        meta = {
            "name": f"{measure['name']}_{suffix}",
            "role": "measure",
            "label": {"en": f"{label.get('en', '')} ({en})", "zh": f"{label.get('zh', '')}{zh}"},
            "type": "number",
            "compare": {"of": str(measure["name"]), "value": suffix, **periods.meta()},
        }
        if suffix == "change_pct":
            meta["format"] = "percent"
        elif "format" in base:
            meta["format"] = base["format"]
        result.append(meta)
    return result
