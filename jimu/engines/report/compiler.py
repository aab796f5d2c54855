"""Chart spec → one SQLAlchemy Core SELECT, aggregated in the database.

``compile_report(spec, target)`` checks the spec against the entity model and the reader's
access and builds the statement; every problem is reported at once with a JSON pointer into
the spec (``/dimensions/0/field``). Hidden fields are PermissionDenied (403), other problems
ValidationFailed (422). The statement's columns are labelled ``d0, d1 …`` (dimensions),
``m0, m1 …`` (measures) and ``others`` (1 on the "others" row of a top N), described by
``CompiledReport.columns``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError
from jimu.engines.form.model import AppModel
from jimu.engines.form.tables import EntityTables
from jimu.engines.report import compare, special, titles, windows
from jimu.engines.report import measures as agg
from jimu.engines.report.dataset import (
    Access,
    Dataset,
    PathProblem,
    Resolved,
    entity_columns,
    filter_clause,
    for_expr,
    scope_clause,
)
from jimu.engines.report.labels import dimension_meta, measure_meta
from jimu.engines.report.result import CompiledReport
from jimu.engines.report.timezones import (
    grain_key,
    local_midnight,
    local_time,
    relative_range,
    zone,
)
from jimu.engines.report.visuals import visual_errors
from jimu.errors import FieldError, PermissionDenied, ValidationFailed

Expr = sa.ColumnElement[Any]


@dataclass(frozen=True)
class Target:
    """Where and for whom a chart runs."""

    model: AppModel
    tables: Mapping[str, EntityTables]
    dialect: str
    time_zone: str = "UTC"
    now: datetime | None = None
    access: Access = field(default_factory=Access)
    #: The platform's field history table (``jimu_record_history``), for funnels.
    history: sa.Table | None = None
    #: The platform's users table (``jimu_user``): user dimensions show display names.
    users: sa.Table | None = None

    def today(self) -> date:
        moment = self.now or datetime.now(UTC)
        tz = zone(self.time_zone)
        return moment.astimezone(tz).date() if tz is not None else moment.date()


def time_zone_of(app: Mapping[str, Any]) -> str:
    """The app document's ``time_zone`` (an IANA name), "UTC" when absent or unknown."""
    name = app.get("time_zone")
    return name if isinstance(name, str) and zone(name) is not None else "UTC"


class _Problems:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.hidden: list[FieldError] = []

    def add(self, pointer: str, message: str, code: str = "invalid") -> None:
        target = self.hidden if code == "hidden_field" else self.errors
        target.append(FieldError(pointer, message, code))

    def raise_any(self) -> None:
        if self.hidden:
            raise PermissionDenied(
                "The chart uses fields you may not see.", self.hidden + self.errors
            )
        if self.errors:
            raise ValidationFailed("The chart is not valid.", self.errors)


@dataclass
class _Dimension:
    name: str
    key: Expr
    order: Expr
    meta: dict[str, Any]
    #: What the chart shows for an id (a linked record's title, a user's name), or None.
    title: Expr | None = None
    #: The title reads only the dimension's key (a user's name): shown per group as it is,
    #: not as ``max()`` over the group's rows.
    per_group: bool = False


@dataclass
class _Child:
    name: str
    entity: str
    link_column: str
    filter: Mapping[str, Any] | None
    partials: list[Expr] = field(default_factory=list)


class _Compiler:
    def __init__(self, spec: Mapping[str, Any], target: Target) -> None:
        self.spec = spec
        self.target = target
        self.problems = _Problems()
        self.dialect = target.dialect
        tz = zone(target.time_zone)
        if tz is None:
            self.problems.add("/time_zone", f"unknown time zone {target.time_zone!r}")
        self.zone_name = target.time_zone if tz is not None else "UTC"
        self.dimension_names: set[str] = set()
        self.periods: compare.Periods | None = None

    # -- the parts ------------------------------------------------------------------------

    def compile(self) -> CompiledReport:
        dataset_spec = self.spec.get("dataset") or {}
        entity = str(dataset_spec.get("entity", ""))
        if entity not in self.target.model.entities:
            self.problems.add("/dataset/entity", f"the app has no entity {entity!r}", "reference")
            self.problems.raise_any()
        self.dataset = Dataset(self.target.model, self.target.tables, entity, self.target.access)
        self.children = self._children(dataset_spec.get("children") or [])
        dimensions = self._dimensions()
        self.dimension_list = dimensions
        measure_specs = list(self.spec.get("measures") or [])
        where = self.dataset.where() + self._filters()
        pending = self._measures(measure_specs)
        self._check_compare(pending)
        if self.spec.get("funnel"):
            return special.funnel_report(self, entity, measure_specs, where)
        if self.spec.get("cohort"):
            return special.cohort_report(self, entity, measure_specs, where)
        if self.spec.get("attribution"):
            return special.attribution_report(self, entity, measure_specs, where)
        for error in visual_errors(self.spec):
            self.problems.add(error.pointer, error.message, error.code)
        self.problems.raise_any()
        self._join_children()
        values = self._measure_values(measure_specs, pending)
        self.problems.raise_any()
        outputs = [v.label(f"m{i}") for i, v in enumerate(values)]
        measure_columns = [
            measure_meta(m, i, self._measure_field(m)) for i, m in enumerate(measure_specs)
        ]
        if self.periods is not None:
            outputs, measure_columns = self._compared(
                measure_specs, pending, values, measure_columns
            )
        statement = self._statement(dimensions, values, outputs, where)
        columns = [d.meta for d in dimensions] + measure_columns
        if self._others_active(dimensions):
            columns.append({"name": "others", "role": "others", "type": "boolean"})
        columns += [titles.title_meta(d.name) for d in dimensions if d.title is not None]
        return CompiledReport(statement, columns, entity, [dict(d.meta) for d in dimensions])

    def _resolve(self, path: str, pointer: str) -> Resolved | None:
        try:
            return self.dataset.resolve(path)
        except PathProblem as problem:
            self.problems.add(pointer, problem.message, problem.code)
            return None

    def _children(self, specs: list[Mapping[str, Any]]) -> dict[str, _Child]:
        children: dict[str, _Child] = {}
        model = self.target.model
        for i, child in enumerate(specs):
            here = f"/dataset/children/{i}"
            name, entity, link = str(child["name"]), str(child["entity"]), str(child["link"])
            if name in children:
                self.problems.add(f"{here}/name", f"a second child named {name!r}", "duplicate")
                continue
            if entity not in model.entities:
                self.problems.add(
                    f"{here}/entity", f"the app has no entity {entity!r}", "reference"
                )
                continue
            spec = model.entity(entity).field(link)
            if (
                spec is None
                or spec.type != "link"
                or spec.get("many", False)
                or str(spec.get("target")) != self.dataset.entity
                or link in self.dataset.hidden(entity)
            ):
                code = "hidden_field" if link in self.dataset.hidden(entity) else "reference"
                self.problems.add(
                    f"{here}/link",
                    f"{link!r} is not a link field of {entity} to {self.dataset.entity}",
                    code,
                )
                continue
            column = self.target.tables[entity].columns[link]
            children[name] = _Child(name, entity, column, child.get("filter"))
        return children

    # -- dimensions -----------------------------------------------------------------------

    def _dimensions(self) -> list[_Dimension]:
        result = []
        names: set[str] = set()
        self.dimension_names = names
        for i, spec in enumerate(self.spec.get("dimensions") or []):
            here = f"/dimensions/{i}"
            name = str(spec.get("name") or str(spec["field"]).replace(".", "_"))
            if name in names or name == "others":
                self.problems.add(f"{here}/name", f"a second column named {name!r}", "duplicate")
            names.add(name)
            resolved = self._resolve(str(spec["field"]), f"{here}/field")
            if resolved is None:
                continue
            dimension = self._dimension(i, name, spec, resolved, here)
            if dimension is not None:
                result.append(dimension)
        return result

    def _dimension(
        self, i: int, name: str, spec: Mapping[str, Any], resolved: Resolved, here: str
    ) -> _Dimension | None:
        column = resolved.column
        grain = spec.get("grain")
        if resolved.kind == "datetime" and grain is None:
            grain = "day"
        if grain is not None:
            if resolved.kind not in ("date", "datetime"):
                self.problems.add(
                    f"{here}/grain", "a grain needs a date or date-time field", "type"
                )
                return None
            if grain == "hour" and resolved.kind == "date":
                self.problems.add(f"{here}/grain", "a date has no hours", "type")
                return None
            local = local_time(
                column, self.dialect, self.zone_name, is_date=resolved.kind == "date"
            )
            key = grain_key(local, str(grain), self.dialect)
            meta = dimension_meta(
                name, spec, resolved, "period", grain=str(grain), source_type=resolved.kind
            )
            return _Dimension(name, key.label(f"d{i}"), key, meta)
        if "bin" in spec:
            if resolved.kind != "number":
                self.problems.add(f"{here}/bin", "bins need a number field", "type")
                return None
            width, offset = float(spec["bin"]["width"]), float(spec["bin"].get("offset", 0))
            key = _bin(column, width, offset, self.dialect)
            meta = dimension_meta(
                name, spec, resolved, "number", bin={"width": width, "offset": offset}
            )
            return _Dimension(name, key.label(f"d{i}"), key, meta)
        field_spec = resolved.field
        options = list(field_spec.get("options") or []) if field_spec is not None else []
        if field_spec is not None and field_spec.type == "select" and options:
            order = option_order(column, tuple(str(o["value"]) for o in options))
            meta = dimension_meta(name, spec, resolved, "text", options=options)
            return _Dimension(name, column.label(f"d{i}"), order, meta)
        meta = dimension_meta(name, spec, resolved, resolved.kind)
        title: Expr | None = None
        per_group = False
        if field_spec is not None and field_spec.type == "link":
            meta["target"] = str(field_spec.get("target"))  # the ids' entity
            title = titles.link_title(self.dataset, resolved, field_spec)
        elif titles.is_user(resolved) and self.target.users is not None:
            meta["target"] = "user"
            title = titles.user_title(self.target.users, i, column)
            per_group = True
        if title is not None:
            meta["title"] = titles.title_meta(name)["name"]
        return _Dimension(name, column.label(f"d{i}"), column, meta, title, per_group)

    # -- filters --------------------------------------------------------------------------

    def _filters(self) -> list[Expr]:
        conditions: list[Expr] = []
        rule = self.spec.get("filter")
        if rule:
            clause, problems = filter_clause(self.dataset, rule, "/filter")
            for pointer, message, code in problems:
                self.problems.add(pointer, message, code)
            if clause is not None:
                conditions.append(clause)
        today = self.target.today()
        for i, item in enumerate(self.spec.get("date_ranges") or []):
            here = f"/date_ranges/{i}"
            resolved = self._resolve(str(item["field"]), f"{here}/field")
            if resolved is None:
                continue
            if resolved.kind not in ("date", "datetime"):
                self.problems.add(f"{here}/field", "a date range needs a date field", "type")
                continue
            bounds = self._range(item, today, here)
            if bounds is None:
                continue
            within = self._within(resolved, bounds)
            compared = self.spec.get("compare")
            if compared and int(compared.get("range", 0)) == i:
                how = str(compared["with"])
                other = compare.other_period(str(item["range"]), *bounds, how)
                self.periods = compare.Periods(
                    how, resolved.path, within, self._within(resolved, other), bounds, other
                )
                if other[1] == bounds[0] or bounds[1] == other[0]:
                    # Adjacent periods (the previous one): one range an index reads in one
                    # pass, not an OR of two (SQLite scanned the table; 2x on 200 000 leads).
                    joined = (min(bounds[0], other[0]), max(bounds[1], other[1]))
                    conditions.append(self._within(resolved, joined))
                else:
                    conditions.append(sa.or_(self.periods.current, self.periods.other))
            else:
                conditions.append(within)
        compared = self.spec.get("compare")
        if compared and self.periods is None:
            self.problems.add(
                "/compare/range",
                f"compare needs date range {int(compared.get('range', 0))} (/date_ranges) "
                "to compare with another period",
                "reference",
            )
        return conditions

    def _within(self, resolved: Resolved, bounds: tuple[date, date]) -> Expr:
        start, end = bounds
        column = resolved.column
        if resolved.kind == "datetime":
            return sa.and_(
                column >= local_midnight(start, self.zone_name),
                column < local_midnight(end, self.zone_name),
            )
        return sa.and_(column >= start, column < end)

    def _range(self, item: Mapping[str, Any], today: date, here: str) -> tuple[date, date] | None:
        name = str(item["range"])
        if name in ("last_n_days", "previous_n_days") and "n" not in item:
            self.problems.add(f"{here}/n", f"{name} needs n (a number of days)", "required")
            return None
        start = end = None
        if name == "between":
            try:
                start, end = date.fromisoformat(item["from"]), date.fromisoformat(item["to"])
            except (KeyError, TypeError, ValueError):
                self.problems.add(here, "between needs from and to (YYYY-MM-DD)", "required")
                return None
            if end < start:
                self.problems.add(f"{here}/to", "is before from", "range")
                return None
        return relative_range(name, today, item.get("n"), start, end)

    # -- measures -------------------------------------------------------------------------

    def _measure_field(self, spec: Mapping[str, Any]) -> Resolved | None:
        if "field" not in spec:
            return None
        child = spec.get("child")
        if child:
            return None
        try:
            return self.dataset.resolve(str(spec["field"]), join=False)
        except PathProblem:
            return None

    def _measures(self, specs: list[Mapping[str, Any]]) -> dict[int, Any]:
        """Checks every measure; returns the base aggregates and child partials by index."""
        pending: dict[int, Any] = {}
        names: dict[str, int] = {}
        for i, spec in enumerate(specs):
            here = f"/measures/{i}"
            name = str(spec["name"])
            if name in names or name in self.dimension_names or name == "others":
                self.problems.add(f"{here}/name", f"a second column named {name!r}", "duplicate")
            names[name] = i
            if "agg" in spec:
                pending[i] = self._aggregate(spec, here)
            elif windows.kind_of(spec) is not None:
                self._check_window(spec, here, name, names)
            elif "ratio" in spec:
                for part in ("numerator", "denominator"):
                    ref = str(spec["ratio"][part])
                    if ref not in names or ref == name:
                        self.problems.add(
                            f"{here}/ratio/{part}",
                            f"no measure {ref!r} before this one",
                            "reference",
                        )
            else:
                try:
                    rule = agg.formula_rule(str(spec["formula"]))
                except ExprError as error:
                    self.problems.add(f"{here}/formula", error.message, "formula")
                    continue
                from jimu.engines.report.dataset import json_vars

                for ref in json_vars(rule):
                    if ref not in names or ref == name:
                        self.problems.add(
                            f"{here}/formula", f"no measure {ref!r} before this one", "reference"
                        )
                pending[i] = rule
        return pending

    def _aggregate(self, spec: Mapping[str, Any], here: str) -> Any:
        how = str(spec["agg"])
        if how == "median" and self.dialect != "postgresql":
            self.problems.add(
                f"{here}/agg",
                f"median ({spec['name']}) needs PostgreSQL; SQLite has no exact median in SQL",
                "unsupported",
            )
            return None
        if how != "count" and "field" not in spec:
            self.problems.add(f"{here}/field", f"{how} needs a field", "required")
            return None
        child_name = spec.get("child")
        if child_name:
            return self._child_aggregate(spec, here, how, str(child_name))
        value: Expr | None = None
        if "field" in spec:
            resolved = self._resolve(str(spec["field"]), f"{here}/field")
            if resolved is None:
                return None
            if resolved.joined and how not in agg.OVER_LINKS:
                self.problems.add(
                    f"{here}/field",
                    f"{how} of {resolved.path!r} would count a linked record once per "
                    f"{self.dataset.entity}; use count_distinct, min or max, or make "
                    f"{resolved.entity} the dataset's entity",
                    "double_count",
                )
                return None
            if not self._fits(how, resolved, f"{here}/field"):
                return None
            value = resolved.column
        condition = None
        if spec.get("filter"):
            condition, problems = filter_clause(self.dataset, spec["filter"], f"{here}/filter")
            for pointer, message, code in problems:
                self.problems.add(pointer, message, code)
        return ("base", how, value, condition)

    def _fits(self, how: str, resolved: Resolved, pointer: str) -> bool:
        numeric = resolved.kind == "number" and resolved.type not in ("link", "user", "department")
        if how in ("sum", "avg", "median") and not numeric:
            self.problems.add(
                pointer, f"{how} needs a number field; {resolved.path!r} is {resolved.kind}", "type"
            )
            return False
        if how in ("min", "max") and resolved.kind not in ("number", "date", "datetime"):
            self.problems.add(
                pointer,
                f"{how} needs a number or date field; {resolved.path!r} is {resolved.kind}",
                "type",
            )
            return False
        return True

    def _child_aggregate(self, spec: Mapping[str, Any], here: str, how: str, name: str) -> Any:
        child = self.children.get(name)
        if child is None:
            self.problems.add(f"{here}/child", f"the dataset has no child {name!r}", "reference")
            return None
        if how not in agg.DECOMPOSABLE:
            self.problems.add(
                f"{here}/agg",
                f"{how} of a child entity cannot be totalled without double counting; "
                f"make {child.entity} the dataset's entity",
                "double_count",
            )
            return None
        alias = self.target.tables[child.entity].table
        columns = entity_columns(alias, self.target.tables[child.entity])
        value: Expr | None = None
        if "field" in spec:
            path = str(spec["field"])
            if path in self.dataset.hidden(child.entity):
                self.problems.add(
                    f"{here}/field",
                    f"{path!r} of {child.entity} is a field you may not see",
                    "hidden_field",
                )
                return None
            if path not in columns or "." in path:
                self.problems.add(
                    f"{here}/field", f"{path!r} is not a field of {child.entity}", "unknown_field"
                )
                return None
            value = alias.c[self.target.tables[child.entity].columns.get(path, path)]
            kind_ok = Resolved(
                path,
                child.entity,
                self.target.model.entity(child.entity).field(path),
                value,
                *_kind(value),
                False,
            )
            if not self._fits(how, kind_ok, f"{here}/field"):
                return None
        condition = None
        if spec.get("filter"):
            condition = self._child_condition(child, spec["filter"], f"{here}/filter")
        partials = agg.child_partials(how, agg.filtered(value, condition))
        start = len(child.partials)
        child.partials.extend(partials)
        return ("child", name, how, list(range(start, start + len(partials))))

    def _child_condition(self, child: _Child, rule: Any, pointer: str) -> Expr | None:
        from jimu.engines.expr import to_sql
        from jimu.engines.report.dataset import json_vars

        table = self.target.tables[child.entity]
        hidden = self.dataset.hidden(child.entity)
        for name in json_vars(rule):
            if name in hidden:
                self.problems.add(
                    pointer,
                    f"{name!r} of {child.entity} is a field you may not see",
                    "hidden_field",
                )
                return None
        try:
            return to_sql(
                dict(rule),
                entity_columns(table.table, table, hidden),
                self.target.access.context,
                where=True,
            )
        except ExprError as error:
            self.problems.add(pointer + error.pointer, error.message, "filter")
            return None

    def _join_children(self) -> None:
        self.child_tables: dict[str, sa.Subquery] = {}
        for name, child in self.children.items():
            if not child.partials:
                continue
            tables = self.target.tables[child.entity]
            table = tables.table
            link = table.c[child.link_column]
            conditions: list[Expr] = [table.c.deleted_at.is_(None), link.is_not(None)]
            scope = scope_clause(
                table,
                tables,
                self.target.access.scopes.get(child.entity),
                self.target.access.context,
            )
            if scope is not None:
                conditions.append(scope)
            if child.filter:
                clause = self._child_condition(
                    child,
                    child.filter,
                    f"/dataset/children/{list(self.children).index(name)}/filter",
                )
                if clause is not None:
                    conditions.append(clause)
            sub = (
                sa.select(
                    link.label("parent_id"),
                    *(p.label(f"p{j}") for j, p in enumerate(child.partials)),
                )
                .where(*conditions)
                .group_by(link)
                .subquery(f"c_{name}")
            )
            self.dataset.add_outer_join(sub, sub.c.parent_id == self.dataset.base.c.id)
            self.child_tables[name] = sub

    def _base_value(self, item: Any, period: Expr | None) -> Expr:
        if period is not None:
            return compare.in_period(item, period, self.dialect)
        _, how, value, condition = item
        if value is None and condition is not None:
            return agg.aggregate("count", agg.filtered(None, condition), self.dialect)
        return agg.aggregate(how, agg.filtered(value, condition), self.dialect)

    def _measure_values(
        self,
        specs: list[Mapping[str, Any]],
        pending: dict[int, Any],
        period: Expr | None = None,
    ) -> list[Expr]:
        if period is None and self.periods is not None:
            period = self.periods.current
        values: list[Expr] = []
        by_name: dict[str, Expr] = {}
        for i, spec in enumerate(specs):
            item = pending.get(i)
            if windows.kind_of(spec) is not None:
                value = self._window_value(spec, by_name)
            elif "ratio" in spec:
                value = agg.divide(
                    by_name[spec["ratio"]["numerator"]], by_name[spec["ratio"]["denominator"]]
                )
            elif "formula" in spec:
                try:
                    value = agg.render_formula(item, by_name)
                except ExprError as error:
                    self.problems.add(f"/measures/{i}/formula", error.message, "formula")
                    value = sa.null()
            elif item is None:
                value = sa.null()
            elif item[0] == "base":
                value = self._base_value(item, period)
            else:
                _, child, how, indexes = item
                sub = self.child_tables[child]
                value = agg.child_total(how, [sub.c[f"p{j}"] for j in indexes])
            by_name[str(spec["name"])] = value
            values.append(value)
        return values

    # -- running totals and rolling windows ------------------------------------------------

    def _check_window(
        self, spec: Mapping[str, Any], here: str, name: str, names: dict[str, int]
    ) -> None:
        kind = windows.kind_of(spec)
        ref = str(spec[str(kind)]["of"])
        if ref not in names or ref == name:
            self.problems.add(
                f"{here}/{kind}/of", f"no measure {ref!r} before this one", "reference"
            )
        dims = self.spec.get("dimensions") or []
        first = self.dimension_list[0].meta if self.dimension_list else None
        if not dims or first is None or first.get("type") != "period":
            self.problems.add(
                f"{here}/{kind}",
                f"{kind} needs a date dimension with a grain first (/dimensions/0), "
                "the periods it runs over",
                "unsupported",
            )
        for key in ("limit", "compare"):
            if self.spec.get(key):
                self.problems.add(
                    f"/{key}", f"{kind} windows need every period: drop {key}", "unsupported"
                )

    def _window_value(self, spec: Mapping[str, Any], by_name: dict[str, Expr]) -> Expr:
        first, *rest = self.dimension_list
        kind = str(windows.kind_of(spec))
        return windows.window_value(
            spec,
            by_name[str(spec[kind]["of"])],
            first.key.element,
            str(first.meta["grain"]),
            [d.key.element for d in rest],
            self.dialect,
        )

    # -- period comparison ----------------------------------------------------------------

    def _check_compare(self, pending: dict[int, Any]) -> None:
        if not self.spec.get("compare") or self.periods is None:
            return
        for i, item in pending.items():
            if isinstance(item, tuple) and item and item[0] == "child":
                self.problems.add(
                    f"/measures/{i}/child",
                    "compare works on the dataset's own measures; a child entity's measure "
                    "cannot be split by period",
                    "unsupported",
                )
        if self.spec.get("others"):
            self.problems.add("/others", "compare and others cannot be combined", "unsupported")
        measures = self.spec.get("measures") or []
        taken = self.dimension_names | {str(m["name"]) for m in measures}
        for i, measure in enumerate(measures):
            for suffix in compare.SUFFIXES:
                if f"{measure['name']}_{suffix}" in taken:
                    self.problems.add(
                        f"/measures/{i}/name",
                        f"compare adds {measure['name']}_{suffix}, the name of another column",
                        "duplicate",
                    )
        for i, spec in enumerate(self.spec.get("dimensions") or []):
            if str(spec.get("field")) == self.periods.field:
                self.problems.add(
                    f"/dimensions/{i}/field",
                    f"{self.periods.field!r} is the compared date: its periods differ between "
                    "the two ranges, so they cannot be put side by side",
                    "unsupported",
                )

    def _compared(
        self,
        specs: list[Mapping[str, Any]],
        pending: dict[int, Any],
        values: list[Expr],
        metas: list[dict[str, Any]],
    ) -> tuple[list[Any], list[dict[str, Any]]]:
        assert self.periods is not None
        previous = self._measure_values(specs, pending, self.periods.other)
        outputs: list[Any] = []
        columns: list[dict[str, Any]] = []
        for i, (now, before, meta) in enumerate(zip(values, previous, metas, strict=True)):
            change, pct = compare.change_columns(now, before)
            outputs += [
                now.label(f"m{i}"),
                before.label(f"m{i}_previous"),
                change.label(f"m{i}_change"),
                pct.label(f"m{i}_change_pct"),
            ]
            meta["compare"] = {"of": meta["name"], "value": "current", **self.periods.meta()}
            columns += [meta, *compare.compared_meta(specs[i], meta, self.periods)]
        return outputs, columns

    # -- the statement --------------------------------------------------------------------

    def _others_active(self, dimensions: list[_Dimension]) -> bool:
        return bool(self.spec.get("others")) and bool(self.spec.get("limit")) and bool(dimensions)

    def _sort_keys(
        self, dimensions: list[_Dimension], values: list[Expr]
    ) -> list[tuple[Expr, bool]]:
        by_dim = {d.name: d.order for d in dimensions}
        names = [str(m["name"]) for m in self.spec.get("measures") or []]
        keys: list[tuple[Expr, bool]] = []
        for i, item in enumerate(self.spec.get("sort") or []):
            name = str(item["by"])
            if name in by_dim:
                keys.append((by_dim[name], bool(item.get("desc", False))))
            elif name in names:
                keys.append((values[names.index(name)], bool(item.get("desc", False))))
            else:
                self.problems.add(f"/sort/{i}/by", f"no dimension or measure {name!r}", "reference")
        return keys

    def _statement(
        self,
        dimensions: list[_Dimension],
        values: list[Expr],
        measures: list[Any],
        where: list[Expr],
    ) -> sa.Select[Any]:
        keys = self._sort_keys(dimensions, values)
        self.problems.raise_any()
        limit = self.spec.get("limit")
        if self._others_active(dimensions):
            return self._top_with_others(dimensions, values, measures, where, keys, int(limit or 0))
        statement = (
            sa.select(*(d.key for d in dimensions), *measures, *_titles(dimensions))
            .select_from(self.dataset.from_clause)
            .where(*where)
        )
        if dimensions:
            statement = statement.group_by(*(d.key.element for d in dimensions))
        order: list[Any] = []
        for expr, desc in keys:
            order += [sa.Grouping(expr).is_(None), expr.desc() if desc else expr.asc()]
        for d in dimensions:
            order += [sa.Grouping(d.key.element).is_(None), d.order]
        if order:
            statement = statement.order_by(*order)
        if limit:
            statement = statement.limit(int(limit))
        return statement

    def _top_with_others(
        self,
        dimensions: list[_Dimension],
        values: list[Expr],
        measures: list[Any],
        where: list[Expr],
        keys: list[tuple[Expr, bool]],
        limit: int,
    ) -> sa.Select[Any]:
        first = dimensions[0]
        rank_order: list[Any] = []
        for expr, desc in keys or [(values[0], True)]:
            rank_order += [sa.Grouping(expr).is_(None), expr.desc() if desc else expr.asc()]
        rank_order += [sa.Grouping(first.key.element).is_(None), first.order]
        ranks = (
            sa.select(
                first.key.element.label("k"),
                sa.func.row_number().over(order_by=rank_order).label("rn"),
            )
            .select_from(self.dataset.from_clause)
            .where(*where)
            .group_by(first.key.element)
            .cte("ranks")
        )
        # An equality join (hashable: the planner can hash the few ranks), with the rank of
        # the empty value read once; ``IS NOT DISTINCT FROM`` in the ON made PostgreSQL loop
        # over every rank for each row (7x a hand-written query on a million leads).
        null_rank = sa.select(ranks.c.rn).where(ranks.c.k.is_(None)).scalar_subquery()
        rank = sa.func.coalesce(ranks.c.rn, null_rank)
        is_other = rank > sa.literal_column(str(limit))
        head = sa.case((is_other, sa.null()), else_=first.key.element)
        flag = sa.case((is_other, sa.literal_column("1")), else_=sa.literal_column("0"))
        rest = dimensions[1:]
        shown = _titles(dimensions, first_unless=is_other)
        statement = (
            sa.select(
                head.label("d0"), *(d.key for d in rest), *measures, flag.label("others"), *shown
            )
            .select_from(self.dataset.from_clause.outerjoin(ranks, first.key.element == ranks.c.k))
            .where(*where)
            .group_by(head, flag, *(d.key.element for d in rest))
        )
        order: list[Any] = [flag, sa.func.min(rank)]
        for d in rest:
            order += [sa.Grouping(d.key.element).is_(None), d.order]
        return statement.order_by(*order)


def _titles(dimensions: list[_Dimension], first_unless: Expr | None = None) -> list[Any]:
    """The dimensions' titles, one per group (an id has one title); on the "others" row of a
    top N (``first_unless``) the first dimension has none."""
    shown: list[Any] = []
    for i, d in enumerate(dimensions):
        if d.title is None:
            continue
        title = d.title
        if first_unless is None and d.per_group:
            shown.append(title.label(f"d{i}_title"))
            continue
        if i == 0 and first_unless is not None:
            title = sa.case((first_unless, sa.null()), else_=title)
        shown.append(sa.func.max(title).label(f"d{i}_title"))
    return shown


_ORDERS: dict[tuple[int, tuple[str, ...]], tuple[Expr, Expr]] = {}


def option_order(column: Expr, values: tuple[str, ...]) -> Expr:
    """The position of the column's value among a select field's options (made once per
    column and options: columns of the cached aliases are the same objects every time)."""
    key = (id(column), values)
    hit = _ORDERS.get(key)
    if hit is not None and hit[0] is column:
        return hit[1]
    if len(_ORDERS) >= 2048:
        _ORDERS.clear()
    order = sa.case(
        *((column == value, sa.literal_column(str(n))) for n, value in enumerate(values)),
        else_=sa.literal_column(str(len(values))),
    )
    _ORDERS[key] = (column, order)
    return order


def _kind(column: Expr) -> tuple[str, bool]:
    from jimu.engines.expr.sql import column_kind

    return column_kind(for_expr(column))


def _bin(column: Expr, width: float, offset: float, dialect: str) -> Expr:
    """The lower bound of the bin of ``width`` (starting at ``offset``) holding the value."""
    w: Expr = sa.literal_column(repr(width))
    o: Expr = sa.literal_column(repr(offset))
    scaled = (sa.cast(column, sa.Float) - o) / w
    if dialect == "postgresql":
        floor: Expr = sa.func.floor(scaled)
    else:
        whole = sa.cast(scaled, sa.Integer)
        floor = whole - sa.case(
            (scaled < whole, sa.literal_column("1")), else_=sa.literal_column("0")
        )
    return sa.type_coerce(floor * w + o, sa.Float)


def compile_report(spec: Mapping[str, Any], target: Target) -> CompiledReport:
    """The chart's one SELECT and its column metadata; ValidationFailed / PermissionDenied
    (every problem, with pointers) if the spec cannot run for this reader."""
    return _Compiler(spec, target).compile()
