"""``describe(rule, lang)``: a rule as a sentence for the builder, in English or Chinese
("amount is greater than 10,000 and region is 华东" / "金额 大于 10,000 且 区域 等于 华东").

The words come from the sentence templates of the operator table (``operators.py``), so a new
operator is described as soon as it has its entry. Field labels replace field names when given,
numbers get thousands separators, lists read "US, CA" / "US、CA", date units are counted with
their measure words ("7 天", "3 个月"), and a mix of "and" and "or" is parenthesised so the
sentence keeps the rule's meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jimu.engines.expr.formula_functions import start_from_ir
from jimu.engines.expr.operators import OPERATORS, UNIT_WORDS, Operator

__all__ = ["describe", "describe_value"]

_SLOT = re.compile(r"\{(\d+|\*)\}")
_HUG = "\x00"  # marks where spaces around a full-width parenthesis are dropped
_ARITHMETIC_RANK = {"+": 1, "-": 1, "*": 2, "/": 2}


def describe(
    rule: Any,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
    options: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """``rule`` as a sentence in ``lang`` ("en" or "zh"); ``labels`` maps field names to the
    labels the admin sees (``{"amount": "金额"}``), ``options`` a choice field's stored values
    to theirs (``{"status": {"won": "赢单"}}``), used for values compared with that field."""
    return _tidy_zh(_Describer(lang, labels or {}, options or {}).rule(rule))


def describe_value(value: Any, lang: str = "en") -> str:
    """A literal as the sentences show it: ``10,000``, ``US, CA``, ``empty`` …"""
    return _tidy_zh(_Describer(lang, {}).rule(value))


class _Describer:
    def __init__(
        self,
        lang: str,
        labels: Mapping[str, str],
        options: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.zh = lang.startswith("zh")
        self.lang = "zh" if self.zh else "en"
        self.labels = labels
        self.options = options or {}

    def _pick(self, en: str, zh: str) -> str:
        return zh if self.zh else en

    def rule(self, rule: Any) -> str:
        if isinstance(rule, dict) and len(rule) == 1:
            op, raw = next(iter(rule.items()))
            if op == "var":
                return self.var(raw)
            return self.call(op, raw if isinstance(raw, list) else [raw])
        return self.literal(rule)

    # -- values ---------------------------------------------------------------------------

    def literal(self, value: Any) -> str:
        if value is None:
            return self._pick("empty", "空")
        if isinstance(value, bool):
            return self._pick("true" if value else "false", "是" if value else "否")
        if isinstance(value, int | float):
            return number_text(value)
        if isinstance(value, str):
            if not value:
                return self._pick("empty text", "空文本")
            return value if value.strip() == value else self._pick(f'"{value}"', f"“{value}”")
        if isinstance(value, list):
            if not value:
                return self._pick("nothing", "无")
            return self._pick(", ", "、").join(self.rule(item) for item in value)
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {self.rule(v)}" for k, v in value.items()) + "}"
        return str(value)

    def var(self, raw: Any) -> str:
        name = raw[0] if isinstance(raw, list) and raw else raw
        if isinstance(raw, list) and not raw:
            name = ""
        if not isinstance(name, str):
            text = self.rule(name)
        elif name == "":
            text = self._pick("the record", "记录")
        else:
            text = self.field(name)
        if isinstance(raw, list) and len(raw) > 1:
            default = self.rule(raw[1])
            return self._pick(f"{text} (or {default} when empty)", f"{text}（为空时取 {default}）")
        return text

    def field(self, name: str) -> str:
        if name in self.labels:
            return self.labels[name]
        if not name.startswith("$"):
            return name
        path = name[1:]
        if path == "now":
            return self._pick("now", "现在")
        if path == "today":
            return self._pick("today", "今天")
        if path == "user":
            return self._pick("the current user", "当前用户")
        if path.startswith("user."):
            rest = path[len("user.") :]
            return self._pick(f"the current user's {rest}", f"当前用户的 {rest}")
        return path

    # -- operators ------------------------------------------------------------------------

    def call(self, op: str, args: list[Any]) -> str:
        entry = OPERATORS.get(op)
        if entry is None:
            return f"{op}(" + ", ".join(self.rule(arg) for arg in args) + ")"
        if op in ("if", "?:") and len(args) > 3:
            args = [args[0], args[1], {"if": args[2:]}]
        if entry.connective and len(args) == 1:
            return self.rule(args[0])
        if op == "substr":
            args = _positions_from_one(args)
        if op in _NULL_TESTS and len(args) == 2 and (args[0] is None) != (args[1] is None):
            subject = self.rule(args[1] if args[0] is None else args[0])
            if op in ("==", "==="):
                return self._pick(f"{subject} is empty", f"{subject} 为空")
            return self._pick(f"{subject} is not empty", f"{subject} 不为空")
        parts = [self.operand(entry, arg, index, args) for index, arg in enumerate(args)]
        choices = self._choices(args)
        if choices:
            parts = [
                self._choice_text(arg, choices) if _is_choice_value(arg) else part
                for arg, part in zip(args, parts, strict=True)
            ]
        text_operand = len(args) == 2 and isinstance(args[1], str) and args[1] != ""
        return self.fill(entry, parts, text_operand)

    def _choices(self, args: list[Any]) -> Mapping[str, str] | None:
        """The option labels of the first choice field among ``args`` (``{"var": "status"}``)."""
        for arg in args:
            if isinstance(arg, dict) and len(arg) == 1 and "var" in arg:
                raw = arg["var"]
                name = raw[0] if isinstance(raw, list) and raw else raw
                if isinstance(name, str) and name in self.options:
                    return self.options[name]
        return None

    def _choice_text(self, value: Any, choices: Mapping[str, str]) -> str:
        if isinstance(value, list):
            return self._pick(", ", "、").join(self._choice_text(v, choices) for v in value)
        if isinstance(value, str) and value in choices:
            return choices[value]
        return self.rule(value)

    def unit(self, entry: Operator, unit: str, args: list[Any]) -> str:
        words = UNIT_WORDS[unit]
        if self.zh:
            return words.counted if entry.unit_form == "counted" else words.noun
        if entry.unit_form == "counted":
            amount = args[1] if len(args) > 1 else None
            return words.one if amount in (1, -1) and amount is not True else words.many
        return words.many if entry.unit_form == "plural" else words.one

    def operand(self, entry: Operator, arg: Any, index: int, args: list[Any]) -> str:
        if entry.unit_form and isinstance(arg, str) and arg in UNIT_WORDS:
            return self.unit(entry, arg, args)
        text = self.rule(arg)
        inner = _operator_of(arg)
        if inner is None:
            return text
        child = OPERATORS.get(inner)
        if entry.connective and child is not None and child.connective and inner != entry.name:
            return self._parenthesised(text)
        outer_rank = _ARITHMETIC_RANK.get(entry.name)
        inner_rank = _ARITHMETIC_RANK.get(inner)
        child_args = arg[inner] if isinstance(arg[inner], list) else [arg[inner]]
        if not (outer_rank and inner_rank and len(child_args) > 1):
            return text
        looser = inner_rank < outer_rank or (inner_rank == outer_rank and index > 0)
        return self._parenthesised(text) if looser else text

    def _parenthesised(self, text: str) -> str:
        return f"{_HUG}（{text}）{_HUG}" if self.zh else f"({text})"

    def fill(self, entry: Operator, parts: list[str], text_operand: bool = False) -> str:
        template = entry.template(self.lang, len(parts), text_operand)
        joiner = entry.joiner[1 if self.zh else 0]

        def slot(match: re.Match[str]) -> str:
            key = match.group(1)
            if key == "*":
                return joiner.join(parts)
            index = int(key)
            return parts[index] if index < len(parts) else ""

        return _SLOT.sub(slot, template).strip()


#: Comparisons that read "X is empty" / "X is not empty" when one side is null.
_NULL_TESTS = frozenset({"==", "===", "!=", "!=="})


def _is_choice_value(arg: Any) -> bool:
    """A literal that may name options: text, or a list of texts."""
    return isinstance(arg, str) or (
        isinstance(arg, list) and bool(arg) and all(isinstance(v, str) for v in arg)
    )


def _positions_from_one(args: list[Any]) -> list[Any]:
    """``substr`` counts positions from 0; people (and MID) count from 1."""
    if len(args) >= 2 and isinstance(args[1], int) and args[1] < 0:
        return args
    return start_from_ir(args)


def _tidy_zh(sentence: str) -> str:
    """No spaces around the full-width parentheses describe() added: "（a 或 b）且 c"."""
    return re.sub(rf"\s*{_HUG}\s*", "", sentence).strip()


def _operator_of(rule: Any) -> str | None:
    if isinstance(rule, dict) and len(rule) == 1:
        op = str(next(iter(rule)))
        return None if op == "var" else op
    return None


def number_text(value: int | float) -> str:
    """``10000`` → ``"10,000"``; ``1851.75`` → ``"1,851.75"``; ``2.0`` → ``"2"``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return f"{value:,}"
