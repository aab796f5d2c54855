"""Computed field types: autonumber, formula, lookup and rollup.

They are stored as real columns (so they can be filtered, sorted and charted) and kept current
by the record write path; users never write them.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.engines.form.model import Field
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue
from jimu.engines.form.types.choice import BooleanType
from jimu.engines.form.types.number import DecimalType, NumberType
from jimu.engines.form.types.temporal import DateTimeType, DateType
from jimu.engines.form.types.text import TextareaType

NAME = "^[a-z][a-z0-9_]{0,62}$"

#: The built-in type a formula result is stored and shown as.
FORMULA_RESULTS: dict[str, FieldType] = {
    "number": NumberType(),
    "decimal": DecimalType(),
    "text": TextareaType(),
    "boolean": BooleanType(),
    "date": DateType(),
    "datetime": DateTimeType(),
}
ROLLUP_FUNCTIONS = ("sum", "count", "min", "max", "avg")
#: The value types (as the expression language names them) each aggregate takes: sums and
#: averages of numbers, the least and greatest of what compares (count takes no field).
ROLLUP_VALUE_TYPES: dict[str, tuple[str, ...]] = {
    "sum": ("number",),
    "avg": ("number",),
    "min": ("number", "text", "date", "datetime"),
    "max": ("number", "text", "date", "datetime"),
}


class AutonumberType(FieldType):
    name = "autonumber"
    label: ClassVar = {"en": "Auto number", "zh": "自动编号"}
    widget = "readonly"
    params: ClassVar = {"pattern": {"type": "string", "pattern": r"\{0+\}"}}
    required_params = ("pattern",)
    computed = True

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.String(64)

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "readOnly": True}

    def check_field(self, field: Field, ctx: FieldContext) -> list[tuple[str, str]]:
        from jimu.engines.form.autonumber import AutonumberPattern

        try:
            AutonumberPattern.parse(str(field.get("pattern", "")))
        except ValueError as exc:
            return [("/pattern", str(exc))]
        return []


class FormulaType(FieldType):
    name = "formula"
    label: ClassVar = {"en": "Formula", "zh": "公式"}
    widget = "readonly"
    params: ClassVar = {
        "formula": {"type": "string", "minLength": 1},
        "returns": {"enum": list(FORMULA_RESULTS)},
        "scale": {"type": "integer", "minimum": 0, "maximum": 12},
    }
    required_params = ("formula",)
    editors: ClassVar = {"formula": {"editor": "formula"}}
    computed = True

    def result_type(self, field: Field, ctx: FieldContext) -> FieldType:
        """The type the result is stored and shown as: ``returns``, else the formula's type."""
        from jimu.engines.form.formula_results import formula_returns

        return FORMULA_RESULTS[formula_returns(field, ctx)]

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return self.result_type(field, ctx).column_type(field, ctx)

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        return self.result_type(field, ctx).parser(field, ctx)

    def dumper(self, field: Field, ctx: FieldContext) -> Converter:
        return self.result_type(field, ctx).dumper(field, ctx)

    def value_schema(self, field: Field) -> dict[str, Any]:
        returns = field.get("returns")
        if not returns:  # inferred from the formula, which needs the entity: any JSON value
            return {"readOnly": True}
        return {**FORMULA_RESULTS[str(returns)].value_schema(field), "readOnly": True}


#: Types whose values are ids of other things: no aggregate but a count makes sense of them.
REFERENCE_TYPES = ("link", "user", "department")


def aggregate_kind(field: Field, ctx: FieldContext) -> str:
    """What an aggregate sees in ``field``: "reference" for an id of a record, user or
    department, else its value type in formulas (number, text, date, datetime, boolean, any)."""
    from jimu.engines.form.formula_results import value_type_of

    return "reference" if field.type in REFERENCE_TYPES else value_type_of(field, ctx)


def filter_problem(condition: Any, ctx: FieldContext) -> tuple[str, str] | None:
    """Where in a rollup's filter (a pointer into it) and why it cannot select records of
    ``ctx.entity`` in SQL (a field it lacks, a type mistake, an unknown operator), or None.
    Its fields are the entity's columns."""
    from jimu.engines.expr import check
    from jimu.engines.form.formula_results import SYSTEM_VALUE_TYPES, value_type_of

    registry = ctx.registry
    types = dict(SYSTEM_VALUE_TYPES)
    for f in ctx.entity.fields:
        if f.type in registry and registry.get(f.type).stores_column(f):
            types[f.name] = value_type_of(f, ctx)
    problems = check(condition, types, {}, require_sql=True)
    return (problems[0].pointer, problems[0].message) if problems else None


def _target_of_link(field: Field, ctx: FieldContext) -> tuple[Field, str] | str:
    """The link field of a lookup and its target entity, or a problem."""
    link = ctx.entity.field(str(field.get("link")))
    if link is None or link.type != "link" or link.get("many", False):
        return f"{field.get('link')!r} must be a link field (to one record) of this entity"
    target = str(link.get("target"))
    if target not in ctx.app.entities:
        return f"the link {link.name!r} points to no entity"
    return link, target


#: How many lookups/rollups may feed each other in a row (a lookup of a rollup of a lookup…).
MAX_CHAIN = 8


def _next_in_chain(field: Field, entity: str, ctx: FieldContext) -> tuple[str, Field] | None:
    """The (entity, field) a lookup or rollup reads, when that is itself a lookup or rollup."""
    app = ctx.app
    owner = app.entities.get(entity)
    if owner is None:
        return None
    if field.type == "lookup":
        link = owner.field(str(field.get("link")))
        target = str(link.get("target")) if link is not None else ""
    elif field.type == "rollup" and field.get("function") != "count":
        target = str(field.get("entity"))
    else:
        return None
    source_entity = app.entities.get(target)
    source = source_entity.field(str(field.get("field"))) if source_entity else None
    if source is None or source.type not in ("lookup", "rollup"):
        return None
    return target, source


def chain_problem(field: Field, ctx: FieldContext) -> str | None:
    """A problem with the chain of lookups/rollups behind ``field``: a cycle, or too deep."""
    path = [(ctx.entity.name, field.name)]
    current: tuple[str, Field] | None = (ctx.entity.name, field)
    while current is not None:
        current = _next_in_chain(current[1], current[0], ctx)
        if current is None:
            return None
        step = (current[0], current[1].name)
        if step in path:
            shown = " → ".join(f"{e}.{f}" for e, f in [*path, step])
            return f"the lookups and rollups feed each other in a cycle: {shown}"
        path.append(step)
        if len(path) > MAX_CHAIN:
            return f"more than {MAX_CHAIN} lookups and rollups feed each other in a row"
    return None


class LookupType(FieldType):
    """A field of the record a link points to, copied and kept current."""

    name = "lookup"
    label: ClassVar = {"en": "Lookup", "zh": "引用字段"}
    widget = "readonly"
    params: ClassVar = {"link": {"type": "string", "pattern": NAME}, "field": {"type": "string"}}
    required_params = ("link", "field")
    editors: ClassVar = {
        "link": {"editor": "field", "types": ["link"]},
        "field": {"editor": "field", "through": "link"},
    }
    computed = True

    def source(self, field: Field, ctx: FieldContext) -> tuple[Field, FieldContext]:
        found = _target_of_link(field, ctx)
        if isinstance(found, str):
            raise InvalidValue(found)
        target = ctx.app.entity(found[1])
        source = target.field(str(field.get("field")))
        if source is None:
            raise InvalidValue(f"{target.name!r} has no field {field.get('field')!r}")
        return source, FieldContext(ctx.app, target, ctx.registry)

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        source, source_ctx = self.source(field, ctx)
        result: sa.types.TypeEngine[Any] = ctx.registry.get(source.type).column_type(
            source, source_ctx
        )
        return result

    def dumper(self, field: Field, ctx: FieldContext) -> Converter:
        source, source_ctx = self.source(field, ctx)
        result: Converter = ctx.registry.get(source.type).dumper(source, source_ctx)
        return result

    def check_field(self, field: Field, ctx: FieldContext) -> list[tuple[str, str]]:
        found = _target_of_link(field, ctx)
        if isinstance(found, str):
            return [("/link", found)]
        target = ctx.app.entity(found[1])
        source = target.field(str(field.get("field")))
        if source is None:
            return [("/field", f"{target.name!r} has no field {field.get('field')!r}")]
        source_type = ctx.registry.get(source.type)
        if not source_type.stores_column(source):
            return [("/field", f"{target.name}.{source.name} cannot be looked up")]
        problem = chain_problem(field, ctx)
        return [("/field", problem)] if problem else []


class RollupType(FieldType):
    """An aggregate (sum, count, min, max, avg) of the child rows linking to this record."""

    name = "rollup"
    label: ClassVar = {"en": "Rollup", "zh": "汇总"}
    widget = "readonly"
    params: ClassVar = {
        "entity": {"type": "string", "pattern": NAME},
        "link": {"type": "string", "pattern": NAME},
        "field": {"type": "string", "pattern": NAME},
        "function": {"enum": list(ROLLUP_FUNCTIONS)},
        "filter": {"type": ["object", "null"]},
    }
    required_params = ("entity", "link", "function")
    editors: ClassVar = {
        "entity": {"editor": "entity"},
        "link": {"editor": "field", "of": "entity", "types": ["link"], "back": True},
        "field": {
            "editor": "field",
            "of": "entity",
            "value_types": {k: list(v) for k, v in ROLLUP_VALUE_TYPES.items()},
        },
        "filter": {"editor": "condition", "of": "entity"},
    }
    computed = True

    def source(self, field: Field, ctx: FieldContext) -> tuple[Field, FieldContext] | None:
        if field.get("function") == "count":
            return None
        child = ctx.app.entity(str(field.get("entity")))
        source = child.field(str(field.get("field")))
        if source is None:
            raise InvalidValue(f"{child.name!r} has no field {field.get('field')!r}")
        return source, FieldContext(ctx.app, child, ctx.registry)

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        found = self.source(field, ctx)
        if found is None:
            return sa.BigInteger()
        source, source_ctx = found
        if field.get("function") == "avg" and source.type == "number":
            return sa.Double()
        result: sa.types.TypeEngine[Any] = ctx.registry.get(source.type).column_type(
            source, source_ctx
        )
        return result

    def dumper(self, field: Field, ctx: FieldContext) -> Converter:
        found = self.source(field, ctx)
        if found is None:
            return int
        source, source_ctx = found
        result: Converter = ctx.registry.get(source.type).dumper(source, source_ctx)
        return result

    def check_field(self, field: Field, ctx: FieldContext) -> list[tuple[str, str]]:
        child = ctx.app.entities.get(str(field.get("entity")))
        if child is None:
            return [("/entity", f"there is no entity {field.get('entity')!r} in this app")]
        link = child.field(str(field.get("link")))
        if link is None or link.type != "link" or link.get("target") != ctx.entity.name:
            return [("/link", f"{child.name}.{field.get('link')} must link to this entity")]
        child_ctx = FieldContext(ctx.app, child, ctx.registry)
        if field.get("filter"):
            wrong = filter_problem(field.get("filter"), child_ctx)
            if wrong:
                return [(f"/filter{wrong[0]}", wrong[1])]
        if field.get("function") == "count":
            return []
        source = child.field(str(field.get("field")))
        if source is None:
            return [("/field", f"{child.name!r} has no field {field.get('field')!r}")]
        function = str(field.get("function"))
        kind = aggregate_kind(source, child_ctx)
        if kind not in ROLLUP_VALUE_TYPES.get(function, (kind,)):
            what = "a number" if function in ("sum", "avg") else "a number, text or date"
            return [("/field", f"{function} needs {what}; {child.name}.{source.name} is not")]
        problem = chain_problem(field, ctx)
        return [("/field", problem)] if problem else []
