"""Drill-down: the JsonLogic condition that selects the records behind one cell of a chart.

The condition is over the dataset's field paths (``account.industry`` for a linked field): the
chart's filter, its date ranges as plain bounds, and each dimension's value (a period of a grain
as ``>=``/``<`` bounds in UTC, a bin as its bounds, NULL as ``== null``). Counting the base
entity's records with it gives the cell's ``count``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jimu.engines.report.compiler import Target
from jimu.engines.report.result import CompiledReport
from jimu.engines.report.timezones import key_period, local_midnight, relative_range, to_utc
from jimu.errors import FieldError, ValidationFailed

JsonLogic = dict[str, Any]


@dataclass(frozen=True)
class DrillDown:
    entity: str
    filter: JsonLogic


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


def _bounds(path: str, start: Any, end: Any) -> list[JsonLogic]:
    var = {"var": path}
    return [{">=": [var, start]}, {"<": [var, end]}]


def _dimension_condition(
    meta: Mapping[str, Any], value: Any, zone_name: str, pointer: str
) -> list[JsonLogic]:
    path = str(meta["field"])
    var = {"var": path}
    if value is None:
        return [{"===": [var, None]}]  # strict: 0, false and "" are not NULL
    grain = meta.get("grain")
    if grain is not None:
        try:
            start, end = key_period(str(value), str(grain))
        except ValueError:
            raise ValidationFailed(
                "The cell is not valid.",
                [FieldError(pointer, f"not a {grain} of this chart", "invalid")],
            ) from None
        if meta.get("source_type") == "date":
            return _bounds(path, start.date().isoformat(), end.date().isoformat())
        return _bounds(path, _iso(to_utc(start, zone_name)), _iso(to_utc(end, zone_name)))
    bin_spec = meta.get("bin")
    if bin_spec is not None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationFailed(
                "The cell is not valid.", [FieldError(pointer, "must be a number", "type")]
            )
        # NULL orders as 0 in the expression language: keep it out of the bin explicitly.
        present = {"!==": [var, None]}
        return [present, *_bounds(path, value, value + float(bin_spec["width"]))]
    if meta.get("type") in ("date", "datetime"):
        return [{"==": [var, value]}]  # a date never equals NULL; a text date equals a date
    return [{"===": [var, value]}]  # strict: NULL is neither 0 nor false


def drill_filter(
    spec: Mapping[str, Any], compiled: CompiledReport, cell: Mapping[str, Any], target: Target
) -> DrillDown:
    """The condition selecting the records of the cell whose dimension values are ``cell``
    (dimension name → value as the chart returned it); ValidationFailed if ``cell`` names
    no dimension of the chart or is the "others" row."""
    errors: list[FieldError] = []
    conditions: list[JsonLogic] = []
    for key in ("funnel", "cohort", "attribution"):
        if spec.get(key):
            # their rows are steps reached, cohorts or shares: no one filter selects them
            raise ValidationFailed(
                "This chart has no drill-down.",
                [FieldError(f"/{key}", f"a {key} chart has no drill-down", "unsupported")],
            )
    if cell.get("others"):
        errors.append(
            FieldError("/cell/others", "the others row has no single filter", "unsupported")
        )
    known = {str(d["name"]): d for d in compiled.dimensions}
    for name in cell:
        if name != "others" and name not in known:
            errors.append(
                FieldError(f"/cell/{name}", "is not a dimension of the chart", "unknown_dimension")
            )
    for name in known:
        if name not in cell:
            errors.append(FieldError(f"/cell/{name}", "is required", "required"))
    if errors:
        raise ValidationFailed("The cell is not valid.", errors)
    if spec.get("filter"):
        conditions.append(dict(spec["filter"]))
    today = target.today()
    for item in spec.get("date_ranges") or []:
        start, end = relative_range(
            str(item["range"]),
            today,
            item.get("n"),
            date.fromisoformat(item["from"]) if "from" in item else None,
            date.fromisoformat(item["to"]) if "to" in item else None,
        )
        kind = _field_kind(compiled, target, str(item["field"]))
        if kind == "date":
            conditions += _bounds(str(item["field"]), start.isoformat(), end.isoformat())
        else:
            conditions += _bounds(
                str(item["field"]),
                _iso(local_midnight(start, target.time_zone)),
                _iso(local_midnight(end, target.time_zone)),
            )
    for name, meta in known.items():
        value = cell[name]
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > 2**53:
            raise ValidationFailed(
                "The cell is not valid.", [FieldError(f"/cell/{name}", "is too large", "range")]
            )
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValidationFailed(
                "The cell is not valid.",
                [FieldError(f"/cell/{name}", "must be a value of the chart's rows", "type")],
            )
        conditions += _dimension_condition(meta, value, target.time_zone, f"/cell/{name}")
    rule: JsonLogic = {"and": conditions} if len(conditions) != 1 else conditions[0]
    if not conditions:
        rule = {"==": [1, 1]}
    return DrillDown(compiled.entity, rule)


def _field_kind(compiled: CompiledReport, target: Target, path: str) -> str:
    from jimu.engines.report.dataset import Dataset

    dataset = Dataset(target.model, target.tables, compiled.entity, target.access)
    return dataset.resolve(path, join=False).kind


def reads_links(rule: Any) -> bool:
    """Whether a drill-down condition reads fields of linked records (dotted paths)."""
    from jimu.engines.report.dataset import json_vars

    return any("." in name for name in json_vars(rule))


def drill_ids(drill: DrillDown, target: Target, limit: int) -> Any:
    """The SELECT of the ids of the cell's records (at most ``limit``), through the chart's
    joins and the reader's scopes: for conditions on linked fields, which a record list's
    filter cannot name."""
    import sqlalchemy as sa

    from jimu.engines.report.dataset import Dataset, filter_clause

    dataset = Dataset(target.model, target.tables, drill.entity, target.access)
    clause, problems = filter_clause(dataset, drill.filter, "/filter")
    if problems or clause is None:
        errors = [FieldError(pointer, message, code) for pointer, message, code in problems]
        raise ValidationFailed("The drill-down is not valid.", errors)
    return (
        sa.select(dataset.base.c.id)
        .select_from(dataset.from_clause)
        .where(*dataset.where(), clause)
        .order_by(dataset.base.c.id)
        .limit(limit)
    )
