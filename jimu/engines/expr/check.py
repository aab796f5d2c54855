"""Static checks of a rule against an entity's fields, before it is saved.

``check(rule, fields)`` reports every problem at once, each with a JSON pointer into the rule
(``/and/1/>/0``): unknown fields (with a did-you-mean), unknown or unsupported operators, wrong
argument counts, type mismatches (a date compared with text that is not a date, arithmetic on
text, a text function on a number …) and unknown date units. ``infer_type(rule, fields)`` is the
value type a rule produces (the form engine uses it for formula fields).

Types are those of the operator table's signatures: "number", "text", "boolean", "date",
"datetime", "list", "any" and "null".
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from jimu.engines.expr.check_messages import Messages
from jimu.engines.expr.check_types import comparable, fits, literal_type, unify
from jimu.engines.expr.dates import UNITS
from jimu.engines.expr.operators import OPERATORS, NoSql, Operator
from jimu.errors import FieldError

__all__ = ["check", "infer_type"]

_COMPARISONS = frozenset({"==", "!=", "===", "!==", "<", "<=", ">", ">="})
_SCOPED = frozenset({"map", "filter", "all", "some", "none", "reduce"})
_UNIT_ARG = {"date_add": 2, "date_diff": 2, "start_of": 1, "within_last": 2, "within_next": 2}
_BUILT_IN_CONTEXT = {"now": "datetime", "today": "date"}


def check(
    rule: Any,
    fields: Mapping[str, str],
    context_fields: Mapping[str, str] | None = None,
    *,
    lang: str = "en",
    require_sql: bool = False,
    allowed_operators: Collection[str] | None = None,
) -> list[FieldError]:
    """Every problem of ``rule`` (empty when it is fine).

    ``fields`` maps field names (dotted for linked records: ``account.industry``) to value types;
    ``context_fields`` the ``$`` values the caller supplies (``{"user.id": "number"}``; ``$now``
    and ``$today`` are always known; ``None`` accepts any ``$`` value). ``require_sql`` reports
    operators with no SQL form (for list filters and reports); ``allowed_operators`` limits the
    operators a builder offers. Messages are in ``lang`` ("en" or "zh").
    """
    checker = _Checker(fields, context_fields, Messages(lang), require_sql, allowed_operators)
    checker.visit(rule, "", scoped=False)
    return checker.errors


def infer_type(
    rule: Any,
    fields: Mapping[str, str] | None = None,
    context_fields: Mapping[str, str] | None = None,
) -> str:
    """The type of the value ``rule`` produces ("any" when it cannot be known statically)."""
    checker = _Checker(fields or {}, context_fields, Messages("en"), False, None)
    return checker.visit(rule, "", scoped=fields is None)


def pointer_to(base: str, *keys: str | int) -> str:
    """``base`` extended by ``keys``, escaped as JSON pointer segments."""
    escaped = (str(key).replace("~", "~0").replace("/", "~1") for key in keys)
    return base + "".join("/" + key for key in escaped)


class _Checker:
    def __init__(
        self,
        fields: Mapping[str, str],
        context_fields: Mapping[str, str] | None,
        messages: Messages,
        require_sql: bool,
        allowed: Collection[str] | None,
    ) -> None:
        self.fields = fields
        self.context = None if context_fields is None else {**_BUILT_IN_CONTEXT, **context_fields}
        self.say = messages
        self.require_sql = require_sql
        self.allowed = allowed
        self.errors: list[FieldError] = []

    def report(self, pointer: str, code: str, message: str) -> None:
        self.errors.append(FieldError(pointer, message, code))

    # -- values ---------------------------------------------------------------------------

    def visit(self, rule: Any, pointer: str, scoped: bool) -> str:
        if isinstance(rule, list):
            for index, item in enumerate(rule):
                self.visit(item, pointer_to(pointer, index), scoped)
            return "list"
        if not isinstance(rule, dict):
            return literal_type(rule)
        if len(rule) != 1:
            self.report(pointer, "invalid_rule", self.say.not_a_rule())
            return "any"
        op, raw = next(iter(rule.items()))
        if op == "var":
            return self.var(raw, pointer, scoped)
        args = raw if isinstance(raw, list) else [raw]
        at = pointer_to(pointer, op)

        def arg_pointer(index: int) -> str:
            return pointer_to(at, index) if isinstance(raw, list) else at

        entry = OPERATORS.get(op)
        if entry is None:
            self.report(at, "unknown_operator", self.say.unknown_operator(op, list(OPERATORS)))
            for index, arg in enumerate(args):
                self.visit(arg, arg_pointer(index), scoped)
            return "any"
        self.allowed_here(entry, at)
        types = [
            self.visit(arg, arg_pointer(i), scoped or (op in _SCOPED and i == 1))
            for i, arg in enumerate(args)
        ]
        if not self.arity_ok(entry, len(args), at):
            return entry.signature.result
        self.argument_types(entry, args, types, arg_pointer)
        if op in ("missing", "missing_some") and not scoped:
            self.named_fields(op, raw, at)
        return self.result_type(entry, args, types)

    def var(self, raw: Any, pointer: str, scoped: bool) -> str:
        """The type of ``{"var": raw}`` at ``pointer``; unknown names are reported there."""
        name, default = raw, None
        inner = pointer_to(pointer, "var")
        if isinstance(raw, list):
            name = raw[0] if raw else ""
            default = raw[1] if len(raw) > 1 else None
            if len(raw) > 1:
                self.visit(default, pointer_to(inner, 1), scoped)
        if isinstance(name, dict | list):
            self.visit(name, pointer_to(inner, 0) if isinstance(raw, list) else inner, scoped)
            return "any"
        if scoped or not isinstance(name, str) or name == "":
            return "any"
        where = pointer
        if name.startswith("$"):
            return self.context_type(name[1:], where)
        found = self.field_type(name)
        if found is None:
            self.report(where, "unknown_field", self.say.unknown_field(name, list(self.fields)))
            return "any"
        return found if default is None else unify([found, literal_type(default)])

    def field_type(self, name: str) -> str | None:
        if name in self.fields:
            return self.fields[name]
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            parent = self.fields.get(".".join(parts[:cut]))
            if parent is not None:
                return "any" if parent in ("any", "list") else None
        return None

    def context_type(self, name: str, pointer: str) -> str:
        if self.context is None:
            return _BUILT_IN_CONTEXT.get(name, "any")
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            found = self.context.get(".".join(parts[:cut]))
            if found is not None:
                return found if cut == len(parts) else "any"
        known = ["$" + key for key in self.context]
        self.report(pointer, "unknown_field", self.say.unknown_field("$" + name, known))
        return "any"

    # -- operators ------------------------------------------------------------------------

    def allowed_here(self, entry: Operator, pointer: str) -> None:
        if self.allowed is not None and entry.name not in self.allowed:
            self.report(pointer, "unsupported_operator", self.say.not_allowed(entry.name))
        elif self.require_sql and isinstance(entry.sql, NoSql):
            self.report(pointer, "no_sql", self.say.no_sql(entry.name, entry.sql.reason))

    def arity_ok(self, entry: Operator, count: int, pointer: str) -> bool:
        low, high = entry.signature.min_args, entry.signature.max_args
        if count >= low and (high is None or count <= high):
            return True
        self.report(pointer, "arity", self.say.arity(entry.name, low, high, count))
        return False

    def argument_types(
        self, entry: Operator, args: list[Any], types: list[str], pointer: Callable[[int], str]
    ) -> None:
        signature = entry.signature
        for index, (arg, actual) in enumerate(zip(args, types, strict=True)):
            expected = signature.args[index] if index < len(signature.args) else signature.rest
            if expected is not None and not fits(actual, expected, arg):
                described = self.say.value(arg)
                self.report(
                    pointer(index),
                    "type_mismatch",
                    self.say.mismatch(entry.name, expected, described, actual),
                )
        if entry.name in _COMPARISONS:
            for index in range(len(args) - 1):
                pair = args[index], args[index + 1]
                if not comparable(types[index], pair[0], types[index + 1], pair[1]):
                    self.report(
                        pointer(index + 1),
                        "type_mismatch",
                        self.say.incomparable(
                            self.say.value(pair[0]),
                            types[index],
                            self.say.value(pair[1]),
                            types[index + 1],
                        ),
                    )
        unit_index = _UNIT_ARG.get(entry.name)
        if unit_index is not None and unit_index < len(args):
            unit = args[unit_index]
            if isinstance(unit, str) and unit not in UNITS:
                self.report(pointer(unit_index), "invalid_unit", self.say.unit(unit, UNITS))

    def named_fields(self, op: str, raw: Any, pointer: str) -> None:
        names: Any = raw if isinstance(raw, list) else [raw]
        base = pointer
        if op == "missing_some":
            names = names[1] if len(names) > 1 and isinstance(names[1], list) else []
            base = pointer_to(pointer, 1)
        elif names and isinstance(names[0], list):
            names, base = names[0], pointer_to(pointer, 0)
        for index, name in enumerate(names):
            if isinstance(name, str) and self.field_type(name) is None:
                where = pointer_to(base, index) if isinstance(raw, list) else base
                self.report(where, "unknown_field", self.say.unknown_field(name, list(self.fields)))

    @staticmethod
    def result_type(entry: Operator, args: list[Any], types: list[str]) -> str:
        name = entry.name
        if name in ("if", "?:"):
            if len(types) == 1:
                return types[0]
            values = types[1::2] + ([types[-1]] if len(types) % 2 == 1 else [])
            return unify(values)
        if name in ("coalesce", "??", "preserve", "try", "and", "or"):
            return unify(types)
        return entry.signature.result
