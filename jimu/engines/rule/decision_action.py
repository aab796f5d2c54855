"""The ``decision_table`` action: run a decision table on the rule's record and write its
outputs: ``set`` maps an output to the field it sets, ``add`` to the number field it adds to::

    {"type": "decision_table", "table": "lead_scoring",
     "set": {"grade": "grade"}, "add": {"points": "score"}}

An output the table leaves empty (no row matched, or a row without a value) writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from jimu.engines.rule.actions import ActionType, Planner, RuleScope, register_action
from jimu.engines.rule.decision_compiled import compile_table
from jimu.engines.rule.plan import PlannedWrite, RecordView
from jimu.errors import FieldError

_MAP = {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}}
#: Output type -> the value types of the fields it may set.
_FITS = {
    "number": ("number",),
    "text": ("text",),
    "boolean": ("boolean",),
    "date": ("date", "text"),
}


class DecisionTableAction(ActionType):
    name: ClassVar[str] = "decision_table"
    properties: ClassVar[dict[str, Any]] = {
        "table": {"type": "string", "minLength": 1},
        "set": _MAP,
        "add": _MAP,
    }
    required: ClassVar[tuple[str, ...]] = ("table",)
    #: The rule designer's editor per setting: ``set``/``add`` map an output name to a field.
    editors: ClassVar[dict[str, str]] = {
        "table": "decision_table",
        "set": "output_map",
        "add": "output_map",
    }

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        name = str(spec["table"])
        table = scope.tables.get(name)
        if table is None:
            return [FieldError(f"{at}/table", f"there is no published decision table {name!r}")]
        if table.get("entity") != entity:
            return [
                FieldError(
                    f"{at}/table",
                    f"the table {name!r} reads {table.get('entity')!r} records, not {entity!r}",
                )
            ]
        counted = table.get("aggregate") == "count"
        outputs = {
            str(o["name"]): "number" if counted else str(o["type"])
            for o in table.get("outputs", [])
        }
        listed = table.get("hit_policy") == "collect" and table.get("aggregate") is None
        types = scope.types.get(entity, {})
        sets, adds = spec.get("set") or {}, spec.get("add") or {}
        errors: list[FieldError] = []
        if not sets and not adds:
            errors.append(FieldError(f"{at}/set", "writes nothing: map an output to a field"))
        for key, mapping in (("set", sets), ("add", adds)):
            for output, target in mapping.items():
                where = f"{at}/{key}/{output}"
                if output not in outputs:
                    errors.append(FieldError(where, f"the table has no output {output!r}"))
                elif target not in types:
                    errors.append(FieldError(where, f"{entity!r} has no field {target!r}"))
                else:
                    problem = _fit(key, outputs[output], listed, str(target), types, scope, entity)
                    if problem:
                        errors.append(FieldError(where, problem, "type"))
        return errors

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        table = compile_table(scope.tables[str(spec["table"])])
        sets = dict(spec.get("set") or {})
        adds = dict(spec.get("add") or {})

        def plan(record: RecordView, index: int) -> list[PlannedWrite]:
            outputs = table.evaluate(record).outputs
            values: dict[str, Any] = {}
            for output, target in sets.items():
                if outputs.get(output) is not None:
                    values[target] = outputs[output]
            data = record.data()
            for output, target in adds.items():
                step = outputs.get(output)
                if step is not None:
                    values[target] = (values.get(target, data.get(target)) or 0) + step
            if not values:
                return []
            return [PlannedWrite(index, "update", record.entity, values, record.record_id)]

        return plan


def _fit(
    key: str,
    output_type: str,
    listed: bool,
    target: str,
    types: Mapping[str, str],
    scope: RuleScope,
    entity: str,
) -> str | None:
    """Why an output cannot be written to ``target`` this way (None: it can)."""
    field_type = types[target]
    if listed:
        if key == "add" or target not in scope.lists.get(entity, frozenset()):
            return "the table collects a list: only a multi-select field can take it (set)"
        return None
    if target in scope.lists.get(entity, frozenset()):
        return f"{target!r} is a multi-select field: only a collect table's list can set it"
    if key == "add":
        if output_type != "number" or field_type not in ("number", "any"):
            return f"adds a {output_type} output to {target!r}: both must be numbers"
        return None
    if field_type != "any" and field_type not in _FITS[output_type]:
        return f"a {output_type} output cannot set {target!r} (a {field_type} field)"
    return None


register_action(DecisionTableAction())
