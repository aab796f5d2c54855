"""A decision table compiled once: its inputs, each row's condition and its output values are
compiled through the expression language; :meth:`CompiledTable.evaluate` runs it on a record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jimu.engines.expr import ExprError, parse_formula
from jimu.engines.expr import compile as compile_expr
from jimu.engines.rule.condition import truthy
from jimu.engines.rule.decision_table import input_name
from jimu.engines.rule.plan import RecordView
from jimu.errors import FieldError, JimuError

Function = Callable[[dict[str, Any], dict[str, Any]], Any]


class TableConflict(JimuError):
    """Several rows of a ``unique`` table match one record (only a draft can have them)."""

    def __init__(self, message: str, rows: list[int]) -> None:
        errors = [FieldError(f"/rows/{i}", "matches too", "overlap") for i in rows]
        super().__init__(message, errors, code="decision_table_conflict", status=422)


@dataclass(frozen=True)
class TableResult:
    """What a table decided on one record: the input values, every row that matched, the rows
    whose values make the outputs (``first``: the first; otherwise all), and the outputs."""

    inputs: dict[str, Any]
    matched: list[int]
    used: list[int]
    outputs: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "matched": self.matched,
            "used": self.used,
            "outputs": self.outputs,
        }


@dataclass(frozen=True)
class CompiledTable:
    name: str
    entity: str
    policy: str
    aggregate: str | None
    outputs: tuple[str, ...]
    _inputs: tuple[tuple[str, Function], ...]
    _rows: tuple[Callable[[dict[str, Any]], Any] | None, ...]
    _values: tuple[tuple[Function | Any, ...], ...]

    def evaluate(self, record: RecordView) -> TableResult:
        """Run the table on ``record`` (raises ExprError on a formula's error at run time and
        TableConflict when a unique table has several matching rows)."""
        data, context = record.data(), record.context()
        inputs = {name: function(data, context) for name, function in self._inputs}
        matched = [i for i, test in enumerate(self._rows) if test is None or truthy(test(inputs))]
        if self.policy == "unique" and len(matched) > 1:
            rows = " and ".join(f"/rows/{i}" for i in matched[:2])
            raise TableConflict(
                f"The unique table {self.name!r} has two matching rows: {rows}.", matched[:2]
            )
        used = matched[:1] if self.policy == "first" else matched
        values = [self._row_values(i, data, context) for i in used]
        outputs: dict[str, Any] = {}
        for k, name in enumerate(self.outputs):
            column = [row[k] for row in values]
            outputs[name] = self._combine(name, column)
        return TableResult(inputs, matched, used, outputs)

    def _row_values(self, index: int, data: dict[str, Any], context: dict[str, Any]) -> list[Any]:
        return [v(data, context) if callable(v) else v for v in self._values[index]]

    def _combine(self, output: str, column: list[Any]) -> Any:
        if self.policy != "collect":
            return column[0] if column else None
        present = [v for v in column if v is not None]
        if self.aggregate is None:
            return present
        if self.aggregate == "count":
            return len(present)
        if not present:
            return None
        kinds = {type(v) for v in present}
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)
        if (self.aggregate == "sum" and not numbers) or (not numbers and kinds != {str}):
            raise ExprError(f"the values of {output!r} cannot be combined by {self.aggregate}")
        if self.aggregate == "sum":
            return sum(present)
        return min(present) if self.aggregate == "min" else max(present)


def _row_condition(cells: list[Any]) -> Callable[[dict[str, Any]], Any] | None:
    conditions = [cell for cell in cells if cell is not None]
    if not conditions:
        return None
    function = compile_expr(conditions[0] if len(conditions) == 1 else {"and": conditions})
    return lambda inputs: function(inputs)


def _input_function(spec: Mapping[str, Any]) -> Function:
    if "field" in spec:
        name = str(spec["field"])
        return lambda data, context: data.get(name)
    function = compile_expr(parse_formula(str(spec["formula"])))
    return lambda data, context: function(data, context)


def _value(value: Any) -> Function | Any:
    if isinstance(value, dict):
        function = compile_expr(parse_formula(str(value["formula"])))
        return lambda data, context: function(data, context)
    return value


def compile_table(table: Mapping[str, Any]) -> CompiledTable:
    """Compile a table that passed ``table_report`` without errors (raises JimuError else)."""
    try:
        return CompiledTable(
            str(table["name"]),
            str(table["entity"]),
            str(table["hit_policy"]),
            table.get("aggregate"),
            tuple(str(o["name"]) for o in table["outputs"]),
            tuple((input_name(spec), _input_function(spec)) for spec in table["inputs"]),
            tuple(_row_condition(list(row["cells"])) for row in table["rows"]),
            tuple(tuple(_value(v) for v in row["outputs"]) for row in table["rows"]),
        )
    except (ExprError, KeyError) as exc:
        raise JimuError(
            f"The decision table {table.get('name')!r} cannot be compiled: {exc}"
        ) from exc
