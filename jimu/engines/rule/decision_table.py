"""The decision table document: its JSON Schema properties and its checks.

A decision table maps inputs (fields of its entity, or formulas) to outputs by rows: each row
has one cell per input (a condition on it, see :mod:`.decision_cells`) and one value per output
(a literal, or ``{"formula": "..."}`` over the record). The hit policy says which rows count:
``first`` (the first row that matches), ``unique`` (at most one row may match any input: an
overlap is an error) or ``collect`` (every matching row, aggregated with ``sum``/``min``/``max``
/``count``, or a list). See docs/rules.md, "Decision tables".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.expr import ExprError, check, describe_value, infer_type, parse_formula
from jimu.engines.rule.decision_cells import (
    CELL_KINDS,
    INPUT_TYPES,
    KINDS_BY_TYPE,
    literal_problem,
    read_cell,
)
from jimu.engines.rule.decision_domain import (
    Domain,
    cell_mask,
    compile_cell,
    overlaps,
    representatives,
    uncovered,
    witness,
)
from jimu.errors import FieldError

HIT_POLICIES = ("first", "unique", "collect")
AGGREGATES = ("sum", "min", "max", "count")
OUTPUT_TYPES = ("number", "text", "boolean", "date")
_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}
_LABEL = {"$ref": "#/$defs/label"}


def decision_table_properties() -> dict[str, Any]:
    """JSON Schema properties of a decision table (besides kind)."""
    return {
        "name": {"$ref": "#/$defs/name"},
        "label": _LABEL,
        "description": _LABEL,
        "entity": {"type": "string", "minLength": 1},
        "inputs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 30,
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "minLength": 1},
                    "name": _NAME,
                    "formula": {"type": "string", "minLength": 1},
                    "type": {"enum": list(INPUT_TYPES)},
                    "label": _LABEL,
                },
                "additionalProperties": False,
            },
        },
        "outputs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 30,
            "items": {
                "type": "object",
                "properties": {
                    "name": _NAME,
                    "type": {"enum": list(OUTPUT_TYPES)},
                    "label": _LABEL,
                },
                "required": ["name", "type"],
                "additionalProperties": False,
            },
        },
        "hit_policy": {"enum": list(HIT_POLICIES)},
        "aggregate": {"enum": list(AGGREGATES)},
        "rows": {
            "type": "array",
            "maxItems": 2000,
            "items": {
                "type": "object",
                "properties": {
                    "cells": {"type": "array", "items": {"type": ["object", "null"]}},
                    "outputs": {"type": "array"},
                    "note": {"type": "string", "maxLength": 500},
                },
                "required": ["cells", "outputs"],
                "additionalProperties": False,
            },
        },
    }


REQUIRED = ["name", "entity", "inputs", "outputs", "hit_policy", "rows"]


@dataclass(frozen=True)
class TableScope:
    """What checking a table needs of its app: each entity's value types, the options of its
    select fields and which of its number fields hold whole numbers."""

    types: Mapping[str, Mapping[str, str]]
    choices: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    integers: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class TableReport:
    """The problems of a table: errors refuse it; warnings (unreachable rows) do not."""

    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)


def input_name(spec: Mapping[str, Any]) -> str:
    """The name the cells read an input by: its ``name``, else its field's."""
    return str(spec.get("name") or spec.get("field") or "")


def table_report(table: Mapping[str, Any], scope: TableScope) -> TableReport:
    """Every problem of a schema-valid table against its app, then (when its cells are sound)
    the overlaps of a ``unique`` table (errors) and the unreachable rows of a ``first`` one
    (warnings)."""
    entity = str(table["entity"])
    types = scope.types.get(entity)
    if types is None:
        return TableReport([FieldError("/entity", f"there is no entity {entity!r}", "reference")])
    report = TableReport()
    domains = _input_domains(table, entity, types, scope, report.errors)
    _output_errors(table, report.errors)
    _policy_errors(table, report.errors)
    for i, row in enumerate(table["rows"]):
        report.errors += _row_errors(row, i, table, domains, types)
    if not report.errors and len(domains) == len(table["inputs"]):
        _coverage(table, domains, report)
    return report


def _input_domains(
    table: Mapping[str, Any],
    entity: str,
    types: Mapping[str, str],
    scope: TableScope,
    errors: list[FieldError],
) -> list[Domain]:
    domains: list[Domain] = []
    seen: dict[str, int] = {}
    for i, spec in enumerate(table["inputs"]):
        at = f"/inputs/{i}"
        name = input_name(spec)
        if ("field" in spec) == ("formula" in spec):
            errors.append(FieldError(at, "give either a field or a formula (with a name)"))
            continue
        if "formula" in spec and "name" not in spec:
            errors.append(FieldError(f"{at}/name", "a formula input needs a name", "required"))
            continue
        if name in seen:
            errors.append(FieldError(f"{at}/name", f"repeats input {seen[name]}", "duplicate"))
            continue
        seen[name] = i
        value_type = _input_type(spec, at, entity, types, errors)
        if value_type is None:
            continue
        options = None
        if "field" in spec:
            options = scope.choices.get(entity, {}).get(str(spec["field"]))
        integer = "field" in spec and spec["field"] in scope.integers.get(entity, frozenset())
        domains.append(Domain(name, value_type, options, integer))
    return domains


def _input_type(
    spec: Mapping[str, Any],
    at: str,
    entity: str,
    types: Mapping[str, str],
    errors: list[FieldError],
) -> str | None:
    if "field" in spec:
        name = str(spec["field"])
        found = types.get(name)
        if found is None:
            errors.append(
                FieldError(f"{at}/field", f"{entity!r} has no field {name!r}", "reference")
            )
            return None
        value_type = str(spec.get("type") or found)
    else:
        try:
            formula = parse_formula(str(spec["formula"]))
        except ExprError as exc:
            errors.append(FieldError(f"{at}/formula", exc.message, "formula"))
            return None
        problems = check(formula, types, _context(types))
        if problems:
            errors += [FieldError(f"{at}/formula", p.message, p.code) for p in problems]
            return None
        value_type = str(spec.get("type") or infer_type(formula, types, _context(types)))
    if value_type not in INPUT_TYPES:
        errors.append(
            FieldError(
                f"{at}/type" if "formula" in spec else f"{at}/field",
                f"an input must be a number, text, date, date-time or yes/no, not {value_type!r}"
                + (" (give its type)" if "formula" in spec else ""),
                "type",
            )
        )
        return None
    return value_type


def _context(types: Mapping[str, str]) -> dict[str, str]:
    context = {f"old.{k}": v for k, v in types.items()}
    context.update({"now": "datetime", "today": "date"})
    return context


def _output_errors(table: Mapping[str, Any], errors: list[FieldError]) -> None:
    seen: dict[str, int] = {}
    for i, spec in enumerate(table["outputs"]):
        name = str(spec["name"])
        if name in seen:
            errors.append(
                FieldError(f"/outputs/{i}/name", f"repeats output {seen[name]}", "duplicate")
            )
        seen.setdefault(name, i)


def _policy_errors(table: Mapping[str, Any], errors: list[FieldError]) -> None:
    aggregate = table.get("aggregate")
    if aggregate is None:
        return
    if table["hit_policy"] != "collect":
        errors.append(FieldError("/aggregate", "only a collect table aggregates its rows"))
        return
    allowed = {"sum": ("number",), "min": ("number", "date"), "max": ("number", "date")}
    for i, spec in enumerate(table["outputs"]):
        if aggregate in allowed and spec["type"] not in allowed[aggregate]:
            errors.append(
                FieldError(
                    f"/outputs/{i}/type",
                    f"{aggregate} needs {' or '.join(allowed[aggregate])} outputs",
                    "type",
                )
            )


def _row_errors(
    row: Mapping[str, Any],
    index: int,
    table: Mapping[str, Any],
    domains: Sequence[Domain],
    types: Mapping[str, str],
) -> list[FieldError]:
    at = f"/rows/{index}"
    errors: list[FieldError] = []
    inputs, outputs = table["inputs"], table["outputs"]
    if len(row["cells"]) != len(inputs):
        errors.append(
            FieldError(f"{at}/cells", f"has {len(row['cells'])} cells for {len(inputs)} inputs")
        )
    if len(row["outputs"]) != len(outputs):
        errors.append(
            FieldError(
                f"{at}/outputs", f"has {len(row['outputs'])} values for {len(outputs)} outputs"
            )
        )
    by_name = {d.name: d for d in domains}
    for j, (cell, spec) in enumerate(zip(row["cells"], inputs, strict=False)):
        domain = by_name.get(input_name(spec))
        if domain is not None:
            errors += _cell_errors(cell, f"{at}/cells/{j}", domain)
    for j, (value, spec) in enumerate(zip(row["outputs"], outputs, strict=False)):
        errors += _value_errors(value, f"{at}/outputs/{j}", str(spec["type"]), types)
    return errors


def _cell_errors(cell: Any, at: str, domain: Domain) -> list[FieldError]:
    read = read_cell(cell, domain.name)
    kinds = KINDS_BY_TYPE["choice" if domain.options is not None else domain.value_type]
    if read is None or read.kind not in ("any", *kinds):
        names = ", ".join(k for k in CELL_KINDS if k in kinds)
        return [FieldError(at, f"must be any, or one of {names} on {domain.name!r}", "cell")]
    errors = []
    for value in read.literals():
        problem = literal_problem(value, domain.value_type, domain.options)
        if problem:
            errors.append(FieldError(at, problem, "type"))
            break
    if read.kind in ("in", "not_in") and not read.slots.get("values"):
        errors.append(FieldError(at, "lists no values", "cell"))
    if "values" in read.slots and not isinstance(read.slots["values"], list):
        errors.append(FieldError(at, "the values must be a list", "cell"))
    if not errors and read.kind != "any":
        errors += [
            FieldError(f"{at}{p.pointer}", p.message, p.code)
            for p in check(cell, {domain.name: domain.value_type})
        ]
    return errors


def _value_errors(
    value: Any, at: str, value_type: str, types: Mapping[str, str]
) -> list[FieldError]:
    if isinstance(value, dict):
        if set(value) != {"formula"} or not isinstance(value["formula"], str):
            return [FieldError(at, 'write a literal value or {"formula": "..."}', "value")]
        try:
            formula = parse_formula(value["formula"])
        except ExprError as exc:
            return [FieldError(f"{at}/formula", exc.message, "formula")]
        problems = check(formula, types, _context(types))
        if problems:
            return [FieldError(f"{at}/formula", p.message, p.code) for p in problems]
        found = infer_type(formula, types, _context(types))
        if found not in (value_type, "any", "null"):
            return [FieldError(f"{at}/formula", f"gives a {found}, not a {value_type}", "type")]
        return []
    if value is None:
        return []
    problem = literal_problem(value, value_type, None)
    return [FieldError(at, problem, "type")] if problem else []


def _coverage(table: Mapping[str, Any], domains: Sequence[Domain], report: TableReport) -> None:
    """Overlaps of a unique table (errors) and unreachable rows of a first table (warnings)."""
    policy = table["hit_policy"]
    if policy == "collect" or not table["rows"]:
        return
    values = []
    for j, domain in enumerate(domains):
        literals = []
        for row in table["rows"]:
            cell = read_cell(row["cells"][j], domain.name)
            literals += cell.literals() if cell else []
        values.append(representatives(domain, literals))
    boxes = [
        tuple(
            cell_mask(compile_cell(row["cells"][j]), domain.name, values[j])
            for j, domain in enumerate(domains)
        )
        for row in table["rows"]
    ]
    if policy == "unique":
        _overlap_errors(boxes, domains, values, report)
        return
    for i, box in enumerate(boxes):
        if not all(box):
            report.warnings.append(FieldError(f"/rows/{i}", "can never match", "unreachable"))
        elif i and uncovered(box, boxes[:i]) is False:
            report.warnings.append(
                FieldError(
                    f"/rows/{i}",
                    "is never reached: the rows above it match everything it matches",
                    "unreachable",
                )
            )


def _overlap_errors(
    boxes: Sequence[tuple[int, ...]],
    domains: Sequence[Domain],
    values: Sequence[Sequence[Any]],
    report: TableReport,
) -> None:
    for j, box in enumerate(boxes):
        for i in range(j):
            if overlaps(boxes[i], box):
                example = witness(boxes[i], box, values)
                words = ", ".join(
                    f"{d.name} = {describe_value(v, 'en')}"
                    for d, v in zip(domains, example, strict=True)
                )
                report.errors.append(
                    FieldError(
                        f"/rows/{j}",
                        f"overlaps /rows/{i}: both match {words} (a unique table allows one)",
                        "overlap",
                    )
                )
                break
