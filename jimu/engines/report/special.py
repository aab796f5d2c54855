"""The analytics charts that make their own rows: multi-touch attribution, cohort retention
and stage funnels from the field history (docs/reports.md, "Analytics"). Each checks its
part of the spec with the compiler's problems and paths, then builds its one statement with
the module of the same name."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.expr.sql import column_kind
from jimu.engines.report import attribution, cohort, funnel
from jimu.engines.report.dataset import entity_columns, for_expr, scope_clause
from jimu.engines.report.labels import dimension_meta
from jimu.engines.report.result import CompiledReport
from jimu.engines.report.timezones import grain_key, local_midnight, local_time, period_start

if TYPE_CHECKING:
    from jimu.engines.report.compiler import _Compiler

Expr = sa.ColumnElement[Any]


def _kind(column: Expr) -> str:
    return column_kind(for_expr(column))[0]


def _period_key(day: date, grain: str) -> str:
    """The key text of the period of ``grain`` holding ``day`` (as the grouped keys read)."""
    return period_start(day, grain).isoformat()


def attribution_report(
    c: _Compiler, entity: str, measure_specs: list[Mapping[str, Any]], where: list[Expr]
) -> CompiledReport:
    spec = c.spec["attribution"]
    if c.spec.get("dimensions"):
        c.problems.add("/dimensions", "attribution's rows are the credited values", "unsupported")
    for option in ("sort", "limit", "others", "compare", "funnel", "cohort"):
        if c.spec.get(option):
            c.problems.add(f"/{option}", f"attribution cannot take {option}", "unsupported")
    measure = measure_specs[0] if measure_specs else {}
    if (
        len(measure_specs) != 1
        or measure.get("agg") != "sum"
        or {"filter", "child"} & set(measure)
        or "field" not in measure
    ):
        c.problems.add(
            "/measures",
            "attribution has one measure, the sum of the value it shares out (amount)",
            "unsupported",
        )
        c.problems.raise_any()
    value = c._resolve(str(measure["field"]), "/measures/0/field")
    if value is not None and (value.joined or value.kind != "number"):
        c.problems.add("/measures/0/field", "a number field of the chart's entity", "type")
    key: Expr = c.dataset.base.c.id
    via = spec.get("via")
    via_target = entity
    if via:
        resolved_via = c._resolve(str(via), "/attribution/via")
        if resolved_via is not None:
            if resolved_via.type != "link" or resolved_via.joined:
                c.problems.add("/attribution/via", f"{via!r} is not a link field", "type")
            else:
                key = resolved_via.column
                assert resolved_via.field is not None
                via_target = str(resolved_via.field.get("target"))
    touches = spec["touches"]
    touch_entity = str(touches["entity"])
    if touch_entity not in c.target.model.entities:
        c.problems.add(
            "/attribution/touches/entity",
            f"the app has no entity {touch_entity!r}",
            "reference",
        )
        c.problems.raise_any()
    tables = c.target.tables[touch_entity]
    hidden = c.dataset.hidden(touch_entity)
    columns: dict[str, Expr] = {}
    for part in ("link", "at", "credit"):
        name = str(touches[part])
        here = f"/attribution/touches/{part}"
        field_spec = c.target.model.entity(touch_entity).field(name)
        if name in hidden:
            c.problems.add(here, f"{name!r} of {touch_entity} is hidden", "hidden_field")
        elif name in ("created_at", "updated_at") and part == "at":
            columns[part] = tables.table.c[name]
        elif field_spec is None or name not in tables.columns:
            c.problems.add(here, f"{name!r} is not a field of {touch_entity}", "unknown_field")
        else:
            columns[part] = tables.table.c[tables.columns[name]]
            if part == "link" and (
                field_spec.type != "link" or str(field_spec.get("target")) != via_target
            ):
                c.problems.add(
                    here, f"{name!r} is not a link of {touch_entity} to {via_target}", "type"
                )
            if part == "at" and _kind(columns[part]) not in ("date", "datetime"):
                c.problems.add(here, f"{name!r} is not a date", "type")
    c.problems.raise_any()
    assert value is not None
    touch_where: list[Expr] = [tables.table.c.deleted_at.is_(None)]
    scope = scope_clause(
        tables.table,
        tables,
        c.target.access.scopes.get(touch_entity),
        c.target.access.context,
    )
    if scope is not None:
        touch_where.append(scope)
    credit_field = c.target.model.entity(touch_entity).field(str(touches["credit"]))
    options = list(credit_field.get("options") or []) if credit_field is not None else []
    statement = attribution.attribution_statement(
        base_id=c.dataset.base.c.id,
        key=key,
        value=value.column,
        from_clause=c.dataset.from_clause,
        where=where,
        touch_table=tables.table,
        touch_id=tables.table.c.id,
        touch_link=columns["link"],
        touch_at=columns["at"],
        touch_credit=columns["credit"],
        touch_where=touch_where,
        credit_values=tuple(str(o["value"]) for o in options),
        half_life=float(spec.get("half_life_days", 7)),
        dialect=c.dialect,
    )
    credit = str(touches["credit"])
    label = credit_field.label if credit_field is not None else {}
    dimension: dict[str, Any] = {
        "name": credit,
        "role": "dimension",
        "field": f"{touch_entity}.{credit}",
        "label": {"en": str(label.get("en") or credit), "zh": str(label.get("zh") or credit)},
        "type": "text",
    }
    if credit_field is not None and credit_field.type == "link":
        dimension["target"] = str(credit_field.get("target"))
    if options:
        dimension["options"] = [
            {"value": o["value"], "label": dict(o.get("label") or {}), "color": o.get("color")}
            for o in options
        ]
    metas = attribution.attribution_columns(str(measure["name"]), dimension)
    return CompiledReport(statement, metas, entity, [dict(dimension)])


def _plain_count_only(c: _Compiler, what: str, measure_specs: list[Mapping[str, Any]]) -> None:
    if c.spec.get("dimensions"):
        c.problems.add(
            "/dimensions", f"a {what} makes its own rows: leave dimensions out", "unsupported"
        )
    plain = (
        len(measure_specs) == 1
        and measure_specs[0].get("agg") == "count"
        and not {"field", "filter", "child"} & set(measure_specs[0])
    )
    if not plain:
        c.problems.add(
            "/measures",
            f"a {what} has one measure, a plain count (it names the column)",
            "unsupported",
        )
    for key in ("sort", "limit", "others", "compare", "funnel" if what != "funnel" else ""):
        if key and c.spec.get(key):
            c.problems.add(f"/{key}", f"a {what} cannot take {key}", "unsupported")


def cohort_report(
    c: _Compiler, entity: str, measure_specs: list[Mapping[str, Any]], where: list[Expr]
) -> CompiledReport:
    spec = c.spec["cohort"]
    _plain_count_only(c, "cohort", measure_specs)
    grain = str(spec["grain"])
    start = c._resolve(str(spec["start"]), "/cohort/start")
    if start is not None and start.kind not in ("date", "datetime"):
        c.problems.add("/cohort/start", f"{start.path!r} is not a date", "type")
    activity = spec["activity"]
    child = c.children.get(str(activity["child"]))
    at_column: Expr | None = None
    at_kind = ""
    if child is None:
        c.problems.add(
            "/cohort/activity/child",
            f"the dataset has no child {activity['child']!r} (/dataset/children)",
            "reference",
        )
    else:
        tables = c.target.tables[child.entity]
        columns = entity_columns(tables.table, tables, c.dataset.hidden(child.entity))
        at = str(activity["at"])
        if at in c.dataset.hidden(child.entity):
            c.problems.add(
                "/cohort/activity/at",
                f"{at!r} of {child.entity} is a field you may not see",
                "hidden_field",
            )
        elif at not in columns:
            c.problems.add(
                "/cohort/activity/at",
                f"{at!r} is not a field of {child.entity}",
                "unknown_field",
            )
        else:
            name = tables.columns.get(at, at)
            at_column = tables.table.c[name]
            at_kind = _kind(at_column)
            if at_kind not in ("date", "datetime"):
                c.problems.add("/cohort/activity/at", f"{at!r} is not a date", "type")
    c.problems.raise_any()
    assert start is not None and child is not None and at_column is not None
    base_key = grain_key(
        local_time(start.column, c.dialect, c.zone_name, is_date=start.kind == "date"),
        grain,
        c.dialect,
    )
    child_key = grain_key(
        local_time(at_column, c.dialect, c.zone_name, is_date=at_kind == "date"),
        grain,
        c.dialect,
    )
    tables = c.target.tables[child.entity]
    child_where: list[Expr] = [tables.table.c.deleted_at.is_(None)]
    scope = scope_clause(
        tables.table,
        tables,
        c.target.access.scopes.get(child.entity),
        c.target.access.context,
    )
    if scope is not None:
        child_where.append(scope)
    if child.filter:
        index = list(c.children).index(child.name)
        clause = c._child_condition(child, child.filter, f"/dataset/children/{index}/filter")
        if clause is not None:
            child_where.append(clause)
    c.problems.raise_any()
    today = c.target.today()
    statement = cohort.cohort_statement(
        base_id=c.dataset.base.c.id,
        base_key=base_key,
        from_clause=c.dataset.from_clause,
        where=where,
        child_link=tables.table.c[child.link_column],
        child_key=child_key,
        child_where=child_where,
        grain=grain,
        periods=int(spec["periods"]),
        today_key=_period_key(today, grain),
        dialect=c.dialect,
    )
    first = dimension_meta(
        "cohort",
        {"field": str(spec["start"]), "label": {"en": "Cohort", "zh": "同期群"}},
        start,
        "period",
        grain=grain,
        source_type=start.kind,
    )
    metas = cohort.cohort_meta(spec, measure_specs[0], first)
    return CompiledReport(statement, metas, entity, [dict(first), dict(metas[1])])


def funnel_report(
    c: _Compiler, entity: str, measure_specs: list[Mapping[str, Any]], where: list[Expr]
) -> CompiledReport:
    spec = c.spec["funnel"]
    steps = [str(step) for step in spec["steps"]]
    if c.spec.get("dimensions"):
        c.problems.add(
            "/dimensions", "a funnel's rows are its steps: leave dimensions out", "unsupported"
        )
    plain = (
        len(measure_specs) == 1
        and measure_specs[0].get("agg") == "count"
        and not {"field", "filter", "child"} & set(measure_specs[0])
    )
    if not plain:
        c.problems.add(
            "/measures",
            "a funnel has one measure, a plain count of the records reaching each step",
            "unsupported",
        )
    for key in ("sort", "limit", "others", "compare"):
        if c.spec.get(key):
            c.problems.add(f"/{key}", f"a funnel cannot take {key}", "unsupported")
    if c.target.history is None:
        c.problems.add(
            "/funnel",
            "funnels read the field history, which this target has not",
            "unsupported",
        )
    name = str(spec["field"])
    resolved = c._resolve(name, "/funnel/field")
    options: list[Mapping[str, Any]] = []
    if resolved is not None:
        options = list(resolved.field.get("options") or []) if resolved.field else []
        if resolved.field is None or resolved.field.type != "select" or not options:
            c.problems.add("/funnel/field", f"{name!r} is not a select field", "type")
    values = [str(o["value"]) for o in options]
    if options:
        for i, step in enumerate(steps):
            if step not in values:
                c.problems.add(
                    f"/funnel/steps/{i}", f"{step!r} is not an option of {name}", "reference"
                )
    then = _funnel_then(c, entity, spec.get("then"), steps)
    reached = None
    if spec.get("reached"):
        bounds = c._range(spec["reached"], c.target.today(), "/funnel/reached")
        if bounds is not None:
            reached = (
                local_midnight(bounds[0], c.zone_name),
                local_midnight(bounds[1], c.zone_name),
            )
    c.problems.raise_any()
    assert resolved is not None and c.target.history is not None
    statement = funnel.funnel_statement(
        history=c.target.history,
        app=c.target.model.name,
        entity=entity,
        field=name,
        column=resolved.column,
        base=c.dataset.base,
        from_clause=c.dataset.from_clause,
        where=where,
        steps=steps,
        reached=reached,
        dialect=c.dialect,
        then=then[0] if then else None,
    )
    by_value = {str(o["value"]): o for o in options}
    shown = [by_value[s] for s in steps]
    if then:
        shown += then[1]
    dimension = dimension_meta(name, {"field": name}, resolved, "text", options=shown)
    if then:
        # the later steps are values of another entity's field: a click on one names no
        # value of this field, so the funnel does not cross-filter
        dimension["crossable"] = False
    columns = funnel.funnel_meta(spec, measure_specs[0], dimension)
    return CompiledReport(statement, columns, entity, [dict(dimension)])


def _funnel_then(
    c: _Compiler, entity: str, then: Mapping[str, Any] | None, steps: list[str]
) -> tuple[funnel.Then, list[Mapping[str, Any]]] | None:
    """``funnel.then``: the later steps on the record a link leads to, and their options
    (problems at ``/funnel/then/...``)."""
    if not then:
        return None
    link_name, field_name = str(then["link"]), str(then["field"])
    link = c.target.model.entity(entity).field(link_name)
    if link is None or link.type != "link" or link.get("many", False):
        c.problems.add(
            "/funnel/then/link", f"{link_name!r} is not a single link field of {entity}", "type"
        )
        return None
    resolved = c._resolve(f"{link_name}.{field_name}", "/funnel/then/field")
    if resolved is None:
        return None
    options = list(resolved.field.get("options") or []) if resolved.field else []
    if resolved.field is None or resolved.field.type != "select" or not options:
        c.problems.add(
            "/funnel/then/field",
            f"{field_name!r} is not a select field of {resolved.entity}",
            "type",
        )
        return None
    by_value = {str(o["value"]): o for o in options}
    later = [str(step) for step in then["steps"]]
    for i, step in enumerate(later):
        if step not in by_value:
            c.problems.add(
                f"/funnel/then/steps/{i}",
                f"{step!r} is not an option of {resolved.entity}.{field_name}",
                "reference",
            )
        elif step in steps:
            c.problems.add(
                f"/funnel/then/steps/{i}", f"{step!r} is a step of the funnel already", "duplicate"
            )
    linked = c.dataset.joins[(link_name,)][0]
    shape = funnel.Then(resolved.entity, field_name, later, linked, resolved.column)
    return shape, [by_value[s] for s in later if s in by_value]
