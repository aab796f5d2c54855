"""The condition builder's vocabulary: which comparisons it offers per kind of field, and the
JsonLogic each one writes.

A builder operator is a *template*: JsonLogic with slots (``{"slot": "field"}``,
``{"slot": "value"}`` …) standing for what the admin picks. ``fill(template, slots)`` writes the
condition; ``match(template, rule)`` reads one back (the slots it binds, or ``None``). The
browser's builder (jimu/builder_ui/designers/shared/condition) gets these templates from the
server and runs the same two functions, so what it emits it reads back into the same rows, and
anything else stays raw JSON. Every template renders to SQL (``check(..., require_sql=True)``),
so a builder condition can always be a data scope or a list filter.

Slots: ``field`` (``{"var": name}``), ``value``, ``low``/``high`` (a range), ``values`` (a
list, or a ``$user`` list), ``amount`` and ``unit`` (relative dates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BUILDER_OPERATORS",
    "KIND_OPERATORS",
    "PERIOD_UNITS",
    "RELATIVE_UNITS",
    "BuilderOperator",
    "fill",
    "match",
]

#: Date units a relative condition may count ("in the last 7 days").
RELATIVE_UNITS = ("day", "week", "month", "quarter", "year")
#: Periods a date may fall in ("this week", "this month" …); "day" is "today".
PERIOD_UNITS = ("day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class BuilderOperator:
    """One comparison the builder offers.

    ``operand`` says what the admin fills in: ``none``, ``value`` (one value of the field's
    kind), ``range`` (low and high), ``values`` (several), ``relative`` (an amount and a unit)
    or ``period`` (a unit)."""

    id: str
    template: Any
    operand: str
    en: str
    zh: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "template": self.template,
            "operand": self.operand,
            "label": {"en": self.en, "zh": self.zh},
        }


def _slot(name: str) -> dict[str, str]:
    return {"slot": name}


_F, _V = _slot("field"), _slot("value")


def _binary(op: str) -> Any:
    return {op: [_F, _V]}


def _start(of: Any) -> Any:
    return {"start_of": [of, _slot("unit")]}


_ENTRIES = (
    BuilderOperator("equals", _binary("=="), "value", "equals", "等于"),
    BuilderOperator("not_equals", _binary("!="), "value", "does not equal", "不等于"),
    BuilderOperator("contains", _binary("contains"), "value", "contains", "包含"),
    BuilderOperator("not_contains", _binary("not_contains"), "value", "does not contain", "不包含"),
    BuilderOperator("starts_with", _binary("starts_with"), "value", "starts with", "开头是"),
    BuilderOperator("ends_with", _binary("ends_with"), "value", "ends with", "结尾是"),
    BuilderOperator("lt", _binary("<"), "value", "is less than", "小于"),
    BuilderOperator("lte", _binary("<="), "value", "is at most", "小于等于"),
    BuilderOperator("gt", _binary(">"), "value", "is greater than", "大于"),
    BuilderOperator("gte", _binary(">="), "value", "is at least", "大于等于"),
    BuilderOperator("before", _binary("<"), "value", "is before", "早于"),
    BuilderOperator("after", _binary(">"), "value", "is after", "晚于"),
    BuilderOperator(
        "between", {"<=": [_slot("low"), _F, _slot("high")]}, "range", "is between", "介于"
    ),
    BuilderOperator("in", {"in_list": [_F, _slot("values")]}, "values", "is one of", "属于"),
    BuilderOperator(
        "not_in", {"not_in_list": [_F, _slot("values")]}, "values", "is none of", "不属于"
    ),
    BuilderOperator("is_true", {"==": [_F, True]}, "none", "is yes", "为是"),
    BuilderOperator("is_false", {"!": [_F]}, "none", "is not yes", "不为是"),
    BuilderOperator(
        "within_last",
        {"within_last": [_F, _slot("amount"), _slot("unit")]},
        "relative",
        "is in the last",
        "在过去",
    ),
    BuilderOperator(
        "within_next",
        {"within_next": [_F, _slot("amount"), _slot("unit")]},
        "relative",
        "is in the next",
        "在未来",
    ),
    BuilderOperator(
        "in_period",
        {"==": [_start(_F), _start({"var": "$today"})]},
        "period",
        "is in the current",
        "在本",
    ),
    BuilderOperator("is_empty", {"is_blank": [_F]}, "none", "is empty", "为空"),
    BuilderOperator("is_not_empty", {"is_not_blank": [_F]}, "none", "is not empty", "不为空"),
)

BUILDER_OPERATORS: Mapping[str, BuilderOperator] = {entry.id: entry for entry in _ENTRIES}

#: A date-time falls in the period of *now* (a date in that of today), written as a range:
#: ``start <= field < start + 1 unit``. Cutting the column itself to the period's start has no
#: SQL form for a ``timestamp with time zone`` column (the session's time zone would decide).
_NOW_PERIOD = _start({"var": "$now"})
_IN_PERIOD_NOW = BuilderOperator(
    "in_period",
    {
        "and": [
            {">=": [_F, _NOW_PERIOD]},
            {"<": [_F, {"date_add": [_NOW_PERIOD, 1, _slot("unit")]}]},
        ]
    },
    "period",
    "is in the current",
    "在本",
)
_EMPTY = ("is_empty", "is_not_empty")
_RELATIVE = ("within_last", "within_next", "in_period")

_KIND_OPERATOR_IDS: Mapping[str, tuple[str, ...]] = {
    "text": (
        "equals",
        "not_equals",
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "in",
        "not_in",
        *_EMPTY,
    ),
    "number": ("equals", "not_equals", "lt", "lte", "gt", "gte", "between", *_EMPTY),
    "date": ("equals", "before", "after", "between", *_RELATIVE, *_EMPTY),
    # Absolute date-times are not offered: comparing a date-time column with text or a date
    # has no faithful SQL form (time zones), so only conditions relative to now are.
    "datetime": (*_RELATIVE, *_EMPTY),
    "boolean": ("is_true", "is_false"),
    "choice": ("in", "not_in", "equals", "not_equals", *_EMPTY),
    "user": ("equals", "not_equals", "in", "not_in", *_EMPTY),
    "department": ("equals", "not_equals", "in", "not_in", *_EMPTY),
    "link": ("equals", "not_equals", *_EMPTY),
    "other": _EMPTY,
}

#: The operators offered per field kind, in the order a menu shows them. A rule is read back
#: with the first operator of its field's kind whose template matches, so specific templates
#: (``is_true``'s ``== true``) come before general ones (``equals``).
KIND_OPERATORS: Mapping[str, tuple[BuilderOperator, ...]] = {
    kind: tuple(
        _IN_PERIOD_NOW if kind == "datetime" and op == "in_period" else BUILDER_OPERATORS[op]
        for op in ids
    )
    for kind, ids in _KIND_OPERATOR_IDS.items()
}


def fill(template: Any, slots: Mapping[str, Any]) -> Any:
    """``template`` with each slot replaced by ``slots[name]`` (``field`` is a field name)."""
    if isinstance(template, dict):
        if set(template) == {"slot"}:
            name = template["slot"]
            return {"var": slots[name]} if name == "field" else slots[name]
        return {key: fill(value, slots) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(item, slots) for item in template]
    return template


def match(template: Any, rule: Any) -> dict[str, Any] | None:
    """The slots ``rule`` gives ``template``'s (``field``: the field name), or ``None`` when the
    rule does not have the template's shape. A slot used twice must be bound alike."""
    bound: dict[str, Any] = {}
    return bound if _match(template, rule, bound) else None


def _match(template: Any, rule: Any, bound: dict[str, Any]) -> bool:
    if isinstance(template, dict) and set(template) == {"slot"}:
        return _bind(str(template["slot"]), rule, bound)
    if isinstance(template, dict):
        if not isinstance(rule, dict) or set(rule) != set(template):
            return False
        return all(_match(template[key], rule[key], bound) for key in template)
    if isinstance(template, list):
        if not isinstance(rule, list) or len(rule) != len(template):
            return False
        return all(_match(t, r, bound) for t, r in zip(template, rule, strict=True))
    return type(template) is type(rule) and bool(template == rule)


def _bind(name: str, rule: Any, bound: dict[str, Any]) -> bool:
    if name == "field":
        if not (isinstance(rule, dict) and set(rule) == {"var"} and isinstance(rule["var"], str)):
            return False
        value: Any = rule["var"]
        if value.startswith("$") or not value:
            return False
    else:
        value = rule
    if name in bound:
        return bool(bound[name] == value)
    bound[name] = value
    return True
