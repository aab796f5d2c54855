"""The JSON Schema properties of a ``report`` document (a chart spec); docs/reports.md."""

from __future__ import annotations

from typing import Any

from jimu.engines.report.attribution import attribution_properties
from jimu.engines.report.cohort import cohort_properties
from jimu.engines.report.compare import compare_properties
from jimu.engines.report.funnel import funnel_properties
from jimu.engines.report.windows import window_properties

GRAINS = ("hour", "day", "week", "month", "quarter", "year")
AGGREGATES = ("count", "count_distinct", "sum", "avg", "min", "max", "median")
RANGES = (
    "today",
    "yesterday",
    "this_week",
    "this_month",
    "this_quarter",
    "this_year",
    "last_n_days",
    "previous_week",
    "previous_month",
    "previous_quarter",
    "previous_year",
    "previous_n_days",
    "between",
)
VISUALS = (
    "number",
    "kpi",
    "table",
    "pivot",
    "bar",
    "stacked_bar",
    "line",
    "area",
    "combo",
    "pie",
    "donut",
    "funnel",
    "scatter",
    "heatmap",
    "china_map",
)
MAX_DIMENSIONS = 3
MAX_LIMIT = 1000

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}
_PATH = {"type": "string", "pattern": "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$"}
_LABEL = {"$ref": "#/$defs/label"}
#: A measure is exactly one of these: an aggregate, a ratio, a formula, a window.
MEASURE_KINDS = ("agg", "ratio", "formula", "running", "rolling")


def _exactly_one_of(keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "required": [key],
            "not": {"anyOf": [{"required": [other]} for other in keys if other != key]},
        }
        for key in keys
    ]


_RANGE_PROPERTIES: dict[str, Any] = {
    "range": {"enum": list(RANGES)},
    "n": {"type": "integer", "minimum": 1, "maximum": 3660},
    "from": {"type": "string", "format": "date"},
    "to": {"type": "string", "format": "date"},
}


def report_properties() -> dict[str, Any]:
    """JSON Schema properties of a report document (besides kind, name, label, description)."""
    child = {
        "type": "object",
        "properties": {
            "name": _NAME,
            "entity": _NAME,
            "link": _NAME,
            "filter": {"type": "object"},
        },
        "required": ["name", "entity", "link"],
        "additionalProperties": False,
    }
    dimension = {
        "type": "object",
        "properties": {
            "field": _PATH,
            "name": _NAME,
            "label": _LABEL,
            "grain": {"enum": list(GRAINS)},
            "bin": {
                "type": "object",
                "properties": {
                    "width": {"type": "number", "minimum": 1e-6, "maximum": 1e15},
                    "offset": {"type": "number", "minimum": -1e15, "maximum": 1e15},
                },
                "required": ["width"],
                "additionalProperties": False,
            },
        },
        "required": ["field"],
        "additionalProperties": False,
    }
    measure = {
        "type": "object",
        "properties": {
            "name": _NAME,
            "label": _LABEL,
            "agg": {"enum": list(AGGREGATES)},
            "field": _PATH,
            "child": _NAME,
            "filter": {"type": "object"},
            "ratio": {
                "type": "object",
                "properties": {"numerator": _NAME, "denominator": _NAME},
                "required": ["numerator", "denominator"],
                "additionalProperties": False,
            },
            "formula": {"type": "string", "minLength": 1, "maxLength": 2000},
            **window_properties(),
            "format": {"enum": ["number", "percent", "money", "integer"]},
        },
        "required": ["name"],
        "oneOf": _exactly_one_of(MEASURE_KINDS),
        "additionalProperties": False,
    }
    date_range = {
        "type": "object",
        "properties": {"field": _PATH, **_RANGE_PROPERTIES},
        "required": ["field", "range"],
        "additionalProperties": False,
    }
    return {
        "dataset": {
            "type": "object",
            "properties": {
                "entity": _NAME,
                "children": {"type": "array", "items": child, "maxItems": 8},
            },
            "required": ["entity"],
            "additionalProperties": False,
        },
        "dimensions": {"type": "array", "items": dimension, "maxItems": MAX_DIMENSIONS},
        "measures": {"type": "array", "items": measure, "minItems": 1, "maxItems": 20},
        "filter": {"type": "object"},
        "date_ranges": {"type": "array", "items": date_range, "maxItems": 8},
        "sort": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"by": _NAME, "desc": {"type": "boolean"}},
                "required": ["by"],
                "additionalProperties": False,
            },
        },
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "others": {"type": "boolean"},
        "compare": compare_properties(),
        "cohort": cohort_properties(),
        "attribution": attribution_properties(),
        "funnel": funnel_properties(_RANGE_PROPERTIES),
        "visual": {
            "type": "object",
            "properties": {"type": {"enum": list(VISUALS)}},
            "required": ["type"],
        },
    }


REQUIRED = ["name", "dataset", "measures", "visual"]
