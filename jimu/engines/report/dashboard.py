"""The ``dashboard`` document: a grid of published charts and the filters that apply to them.

A dashboard places charts (``items``, each naming a ``report``) on a 12-column grid and declares
``filters`` (a date range, people, a department, select options) that apply to every chart
whose dataset has the filter's field; an item may map a filter to another of its fields or
opt out. ``dashboard_errors`` checks a (schema-valid) dashboard against the app's entities and
reports; ``chart_spec`` is the spec one item runs with the filter values (and a cross-filter)
applied. Pure: documents and values in, a spec out. See docs/reports.md, "Dashboards".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jimu.engines.form.model import AppModel
from jimu.engines.report.schema import _RANGE_PROPERTIES, RANGES
from jimu.errors import FieldError

GRID_COLUMNS = 12
MAX_ROWS = 200
MAX_ITEMS = 40
#: A filter's type and the field types it applies to.
FILTER_FIELD_TYPES: dict[str, frozenset[str]] = {
    "date_range": frozenset({"date", "datetime"}),
    "user": frozenset({"user"}),
    "department": frozenset({"department"}),
    "select": frozenset({"select", "multiselect"}),
}
#: The system fields every entity has, with their types (docs/records.md).
SYSTEM_FIELD_TYPES = {
    "created_at": "datetime",
    "updated_at": "datetime",
    "owner_id": "user",
    "created_by": "user",
    "updated_by": "user",
}

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}
_LABEL = {"$ref": "#/$defs/label"}


def dashboard_properties() -> dict[str, Any]:
    """JSON Schema properties of a dashboard document (besides kind, name, label, description)."""
    date_default = {
        "type": "object",
        "properties": dict(_RANGE_PROPERTIES),
        "required": ["range"],
        "additionalProperties": False,
    }
    dashboard_filter = {
        "type": "object",
        "properties": {
            "name": _NAME,
            "label": _LABEL,
            "type": {"enum": list(FILTER_FIELD_TYPES)},
            "field": _NAME,
            "default": {"oneOf": [date_default, {"type": "array", "maxItems": 100}]},
        },
        "required": ["name", "type", "field"],
        "additionalProperties": False,
    }
    item = {
        "type": "object",
        "properties": {
            "id": _NAME,
            "report": _NAME,
            "title": _LABEL,
            "x": {"type": "integer", "minimum": 0, "maximum": GRID_COLUMNS - 1},
            "y": {"type": "integer", "minimum": 0, "maximum": MAX_ROWS},
            "w": {"type": "integer", "minimum": 1, "maximum": GRID_COLUMNS},
            "h": {"type": "integer", "minimum": 1, "maximum": 24},
            # filter name → the field of this chart it applies to, or false: not to this chart
            "filters": {
                "type": "object",
                "propertyNames": _NAME,
                "additionalProperties": {"oneOf": [_NAME, {"const": False}]},
            },
        },
        "required": ["id", "report", "x", "y", "w", "h"],
        "additionalProperties": False,
    }
    return {
        "filters": {"type": "array", "items": dashboard_filter, "maxItems": 12},
        "items": {"type": "array", "items": item, "maxItems": MAX_ITEMS},
        "cross_filter": {"type": "boolean"},
    }


def field_type_of(app: AppModel, entity: str, field: str) -> str | None:
    """The type of ``entity``'s ``field`` (system fields included), or None."""
    if field in SYSTEM_FIELD_TYPES:
        return SYSTEM_FIELD_TYPES[field]
    model = app.entities.get(entity)
    if model is None:
        return None
    for f in model.fields:
        if f.name == field:
            return str(f.type)
    return None


def target_field(
    app: AppModel, item: Mapping[str, Any], report: Mapping[str, Any], flt: Mapping[str, Any]
) -> str | None:
    """The field of ``item``'s chart that filter ``flt`` applies to, or None when it does not
    apply (opted out, or the chart's entity has no such field of a fitting type)."""
    mapped = (item.get("filters") or {}).get(flt["name"], flt["field"])
    if mapped is False:
        return None
    entity = str(report.get("dataset", {}).get("entity", ""))
    kind = field_type_of(app, entity, str(mapped))
    return str(mapped) if kind in FILTER_FIELD_TYPES[str(flt["type"])] else None


def dashboard_errors(
    dashboard: Mapping[str, Any], app: AppModel, reports: Mapping[str, Mapping[str, Any]]
) -> list[FieldError]:
    """Every problem of a schema-valid dashboard: unknown charts, duplicate ids and filter names,
    items off the grid or overlapping, filters no chart can use, mappings to unknown fields."""
    errors: list[FieldError] = []
    items: Sequence[Mapping[str, Any]] = dashboard.get("items") or []
    filters: Sequence[Mapping[str, Any]] = dashboard.get("filters") or []
    filter_names = {str(f["name"]) for f in filters}
    seen_ids: set[str] = set()
    for i, item in enumerate(items):
        at = f"/items/{i}"
        if item["id"] in seen_ids:
            errors.append(
                FieldError(f"{at}/id", f"another chart is already {item['id']}", "duplicate")
            )
        seen_ids.add(str(item["id"]))
        if item["x"] + item["w"] > GRID_COLUMNS:
            errors.append(
                FieldError(f"{at}/w", f"the chart ends past column {GRID_COLUMNS}", "grid")
            )
        report = reports.get(str(item["report"]))
        if report is None:
            errors.append(
                FieldError(
                    f"{at}/report", f"no published chart is called {item['report']}", "unknown"
                )
            )
            continue
        for name, field in (item.get("filters") or {}).items():
            pointer = f"{at}/filters/{name}"
            if name not in filter_names:
                errors.append(FieldError(pointer, f"the dashboard has no filter {name}", "unknown"))
            elif field is not False:
                flt = next(f for f in filters if f["name"] == name)
                if target_field(app, item, report, flt) is None:
                    errors.append(
                        FieldError(
                            pointer,
                            f"{field} is not a {flt['type']} field of the chart's records",
                            "field",
                        )
                    )
    errors += _overlaps(items)
    seen_names: set[str] = set()
    for j, flt in enumerate(filters):
        at = f"/filters/{j}"
        if flt["name"] in seen_names:
            errors.append(
                FieldError(f"{at}/name", f"another filter is already {flt['name']}", "duplicate")
            )
        seen_names.add(str(flt["name"]))
        errors += _default_errors(flt, at)
        applies = any(
            str(item["report"]) in reports
            and target_field(app, item, reports[str(item["report"])], flt) is not None
            for item in items
        )
        if items and not applies:
            errors.append(
                FieldError(
                    f"{at}/field",
                    f"no chart of this dashboard has a {flt['type']} field {flt['field']}",
                    "unused",
                )
            )
    return errors


def _default_errors(flt: Mapping[str, Any], at: str) -> list[FieldError]:
    default = flt.get("default")
    if default is None:
        return []
    is_range = isinstance(default, dict)
    if (flt["type"] == "date_range") != is_range:
        wanted = 'a date range ({"range": ...})' if flt["type"] == "date_range" else "a list"
        return [FieldError(f"{at}/default", f"the default must be {wanted}", "type")]
    if is_range and default["range"] not in RANGES:
        return [FieldError(f"{at}/default/range", "unknown range", "enum")]
    return []


def _overlaps(items: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, a in enumerate(items):
        for b in items[:i]:
            if (
                a["x"] < b["x"] + b["w"]
                and b["x"] < a["x"] + a["w"]
                and a["y"] < b["y"] + b["h"]
                and b["y"] < a["y"] + a["h"]
            ):
                errors.append(
                    FieldError(f"/items/{i}", f"the chart overlaps {b['id']} on the grid", "grid")
                )
                break
    return errors


@dataclass(frozen=True)
class CrossFilter:
    """A click on a chart's category: records whose ``field`` equals ``value`` (applied to
    the dashboard's other charts that have the field); on a chart with two dimensions also
    the clicked series, ``series`` = (field, value), applied to the charts that have it."""

    field: str
    value: Any
    source: str  # the item id clicked, which keeps its own data
    series: tuple[str, Any] | None = None

    def conditions(self) -> list[tuple[str, Any]]:
        """Each (field, value) the click denotes, the category first."""
        return [(self.field, self.value), *([self.series] if self.series else [])]


def chart_spec(
    app: AppModel,
    dashboard: Mapping[str, Any],
    item: Mapping[str, Any],
    report: Mapping[str, Any],
    values: Mapping[str, Any],
    cross: CrossFilter | None = None,
) -> dict[str, Any]:
    """The spec ``item`` runs with: its report, plus each dashboard filter that has a value
    (``values[name]``, else the filter's default) on the field it maps to, plus a cross-filter
    from another chart when this chart's entity has that field."""
    spec = dict(report)
    conditions: list[Any] = []
    ranges = list(spec.get("date_ranges") or [])
    for flt in dashboard.get("filters") or []:
        value = values.get(str(flt["name"]), flt.get("default"))
        field = target_field(app, item, report, flt)
        if value in (None, [], {}) or field is None:
            continue
        if flt["type"] == "date_range":
            ranges = [r for r in ranges if r.get("field") != field]
            ranges.append({"field": field, **value})
        else:
            conditions.append({"in_list": [{"var": field}, list(value)]})
    if cross is not None and cross.source != item["id"]:
        entity = str(report.get("dataset", {}).get("entity", ""))
        for field, value in cross.conditions():
            if field_type_of(app, entity, field) is not None:
                conditions.append({"==": [{"var": field}, value]})
    if ranges:
        spec["date_ranges"] = ranges
    if conditions:
        own = spec.get("filter")
        spec["filter"] = {"and": ([own] if own else []) + conditions}
    return spec
