"""Dashboards as one reader sees them (docs/reports.md, "Dashboards").

A published ``dashboard`` runs each of its charts with the filter values the reader chose (else
the filters' defaults) and an optional cross-filter (a click on another chart), through the same
path as a single chart: the reader's scope and hidden fields apply to every item. One item's
problem (a chart unpublished since, a hidden field) is that item's answer, in the
problem+json shape, so one broken chart does not blank the board. Bad filter values or a bad
cross-filter are the request's problem: 422 naming each with its pointer, before anything runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from jimu.engines.report.dashboard import CrossFilter, chart_spec
from jimu.engines.report.schema import RANGES
from jimu.errors import FieldError, JimuError, NotFound, ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.problems import problem_body
from jimu.platform.reports.cache import ResultCache
from jimu.platform.reports.service import drill_down, require_reader, run_cached, run_report

KIND = "dashboard"
#: The most values one select/user/department filter takes.
MAX_VALUES = 100
#: The longest record-list address a drill-down answers (servers refuse longer request lines).
MAX_URL = 8000
_FIELD = re.compile(r"^[a-z][a-z0-9_]{0,62}(\.[a-z][a-z0-9_]{0,62}){0,3}$")
_RANGE_KEYS = frozenset({"range", "n", "from", "to"})
Scalar = (str, int, float, bool)


def published_dashboard(conn: sa.Connection, app: str, name: str) -> dict[str, Any]:
    found = store.published(conn, app, KIND, name)
    if found is None:
        raise NotFound(f"There is no published dashboard {name!r} in the app {app!r}.")
    return dict(found.body)


def _date(text: Any) -> bool:
    try:
        date.fromisoformat(str(text))
    except ValueError:
        return False
    return isinstance(text, str)


def _range_errors(value: Any, at: str) -> list[FieldError]:
    if not isinstance(value, Mapping):
        return [FieldError(at, 'must be a date range such as {"range": "this_month"}', "type")]
    errors = [FieldError(f"{at}/{k}", "is not a key of a date range", "unknown") for k in value]
    errors = [e for e in errors if e.pointer.rsplit("/", 1)[1] not in _RANGE_KEYS]
    kind = value.get("range")
    if kind not in RANGES:
        errors.append(FieldError(f"{at}/range", f"must be one of: {', '.join(RANGES)}", "enum"))
    if kind in ("last_n_days", "previous_n_days"):
        n = value.get("n")
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 3660:
            errors.append(FieldError(f"{at}/n", "must be a whole number of days, 1–3660", "type"))
    if kind == "between":
        for key in ("from", "to"):
            if not _date(value.get(key)):
                errors.append(FieldError(f"{at}/{key}", "must be a date (YYYY-MM-DD)", "format"))
        if not errors and str(value["from"]) > str(value["to"]):
            errors.append(FieldError(f"{at}/to", "must not be before the start", "range"))
    return errors


def filter_values(dashboard: Mapping[str, Any], given: Any) -> dict[str, Any]:
    """The reader's filter values, checked against the dashboard's filters (422 with
    ``/filters/{name}`` pointers). A null value clears the filter's default."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise ValidationFailed(
            "The filters are not valid.", [FieldError("/filters", "must be an object", "type")]
        )
    declared = {str(f["name"]): f for f in dashboard.get("filters") or []}
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name, value in given.items():
        at = f"/filters/{name}"
        flt = declared.get(str(name))
        if flt is None:
            errors.append(FieldError(at, f"the dashboard has no filter {name}", "unknown"))
            continue
        if value is None:
            values[str(name)] = None
        elif flt["type"] == "date_range":
            problems = _range_errors(value, at)
            errors += problems
            if not problems:
                values[str(name)] = {k: value[k] for k in value}
        elif (
            not isinstance(value, list)
            or len(value) > MAX_VALUES
            or not all(isinstance(v, Scalar) for v in value)
        ):
            errors.append(FieldError(at, f"must be a list of at most {MAX_VALUES} values", "type"))
        elif flt["type"] in ("user", "department") and not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            errors.append(FieldError(at, f"must be a list of {flt['type']} ids", "type"))
        else:
            values[str(name)] = list(value)
    if errors:
        raise ValidationFailed("The filters are not valid.", errors)
    return values


def cross_filter(dashboard: Mapping[str, Any], given: Any) -> CrossFilter | None:
    """The cross-filter of the request (``{"item", "field", "value"}``, with ``"series":
    {"field", "value"}`` for a click on a chart with two dimensions, or null)."""
    if given is None:
        return None
    if not isinstance(given, Mapping):
        raise ValidationFailed(
            "The cross-filter is not valid.", [FieldError("/cross", "must be an object", "type")]
        )
    errors: list[FieldError] = []
    ids = {str(item["id"]) for item in dashboard.get("items") or []}
    if given.get("item") not in ids:
        errors.append(FieldError("/cross/item", "is not a chart of this dashboard", "unknown"))
    if not isinstance(given.get("field"), str) or not _FIELD.fullmatch(given["field"]):
        errors.append(FieldError("/cross/field", "must be a field path", "type"))
    value = given.get("value")
    if value is not None and not isinstance(value, Scalar):
        errors.append(FieldError("/cross/value", "must be one value", "type"))
    unknown = set(given) - {"item", "field", "value", "series"}
    errors += [
        FieldError(f"/cross/{k}", "is not a key of a cross-filter", "unknown") for k in unknown
    ]
    series = _series(given.get("series"), errors)
    if errors:
        raise ValidationFailed("The cross-filter is not valid.", errors)
    return CrossFilter(str(given["field"]), value, str(given["item"]), series)


def _series(given: Any, errors: list[FieldError]) -> tuple[str, Any] | None:
    """The clicked series of a cross-filter (``{"field", "value"}``), or its problems."""
    if given is None:
        return None
    if not isinstance(given, Mapping):
        errors.append(FieldError("/cross/series", "must be an object", "type"))
        return None
    found = len(errors)
    if not isinstance(given.get("field"), str) or not _FIELD.fullmatch(given["field"]):
        errors.append(FieldError("/cross/series/field", "must be a field path", "type"))
    value = given.get("value")
    if value is not None and not isinstance(value, Scalar):
        errors.append(FieldError("/cross/series/value", "must be one value", "type"))
    errors += [
        FieldError(f"/cross/series/{k}", "is not a key of a series", "unknown")
        for k in sorted(set(given) - {"field", "value"})
    ]
    return (str(given["field"]), value) if len(errors) == found else None


def _problem(error: JimuError) -> dict[str, Any]:
    return problem_body(error.status, error.code, error.message, error.errors)


class Board:
    """One dashboard opened for one reader: its reports loaded once, each item's spec."""

    def __init__(
        self, conn: sa.Connection, guarded: GuardedRecords, dashboard: Mapping[str, Any]
    ) -> None:
        self.conn = conn
        self.guarded = guarded
        self.dashboard = dashboard
        self.reports: dict[str, dict[str, Any] | None] = {}

    def report(self, name: str) -> dict[str, Any]:
        if not self.reports:  # every item's report in one query (a view reads them all)
            names = [str(item["report"]) for item in self.dashboard.get("items") or []]
            found = store.published_many(self.conn, self.guarded.app, "report", names)
            self.reports = {n: dict(found[n].body) if n in found else None for n in names}
        if name not in self.reports:
            one = store.published(self.conn, self.guarded.app, "report", name)
            self.reports[name] = dict(one.body) if one is not None else None
        report = self.reports[name]
        if report is None:
            raise NotFound(f"There is no published chart {name!r}.")
        return report

    def item(self, item_id: Any) -> Mapping[str, Any]:
        for item in self.dashboard.get("items") or []:
            if item["id"] == item_id:
                return dict(item)
        raise ValidationFailed(
            "The chart is not valid.",
            [FieldError("/item", "is not a chart of this dashboard", "unknown")],
        )

    def spec(
        self, item: Mapping[str, Any], values: Mapping[str, Any], cross: CrossFilter | None
    ) -> dict[str, Any]:
        report = self.report(str(item["report"]))
        return chart_spec(self.guarded.model, self.dashboard, item, report, values, cross)


def run_dashboard(
    conn: sa.Connection,
    guarded: GuardedRecords,
    dashboard: Mapping[str, Any],
    body: Mapping[str, Any],
    now: datetime,
    cache: ResultCache | None = None,
    reader: sa.Connection | None = None,
) -> dict[str, Any]:
    """Every item's result (``result``: rows and columns as the reports run API answers) or
    its own problem (``error``: problem+json), in the dashboard's order. With ``cache`` (the
    platform's ``chart_results``), rows of charts whose tables are unchanged come from it;
    ``reader``: a read replica's connection the charts' rows are read from."""
    require_reader(guarded)
    values = filter_values(dashboard, body.get("filters"))
    cross = cross_filter(dashboard, body.get("cross"))
    board = Board(conn, guarded, dashboard)
    answers = []
    for item in dashboard.get("items") or []:
        answer: dict[str, Any] = {"id": item["id"], "report": item["report"]}
        try:
            spec = board.spec(item, values, cross)
            answer["result"] = (
                run_report(conn, guarded, spec, now, reader)
                if cache is None
                else run_cached(conn, guarded, spec, now, cache, reader)
            )
            answer["cross_filtered"] = _cross_applies(spec, cross)
        except JimuError as error:
            answer["error"] = _problem(error)
        answers.append(answer)
    return {"name": dashboard["name"], "filters": values, "items": answers}


def _cross_applies(spec: Mapping[str, Any], cross: CrossFilter | None) -> bool:
    if cross is None:
        return False
    applied = (spec.get("filter") or {}).get("and", [])
    return any({"==": [{"var": field}, value]} in applied for field, value in cross.conditions())


def drill_dashboard(
    conn: sa.Connection,
    guarded: GuardedRecords,
    dashboard: Mapping[str, Any],
    body: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The records behind one cell of one item, with the dashboard's filters (and
    cross-filter) applied: ``{"entity", "filter", "url"}`` (the record list page's URL)."""
    require_reader(guarded)
    values = filter_values(dashboard, body.get("filters"))
    cross = cross_filter(dashboard, body.get("cross"))
    board = Board(conn, guarded, dashboard)
    spec = board.spec(board.item(body.get("item")), values, cross)
    found = drill_down(conn, guarded, spec, body.get("cell", {}), now)
    url = list_url(guarded.app, str(found["entity"]), found["filter"])
    if len(url) > MAX_URL:
        raise ValidationFailed(
            "The cell has too many records to open as a list.",
            [FieldError("/cell", "too many records for one address; filter further", "too_many")],
        )
    return {**found, "url": url}


def list_url(app: str, entity: str, logic: Any) -> str:
    """The record list page of ``entity`` filtered by the JsonLogic ``logic``."""
    text = json.dumps(logic, separators=(",", ":"), ensure_ascii=False)
    return f"/apps/{app}/{entity}?{urlencode({'filter': text})}"
