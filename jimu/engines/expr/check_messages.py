"""The messages of the static checks, in English and Chinese."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

_TYPE_WORDS = {
    "number": ("a number", "数字"),
    "text": ("text", "文本"),
    "boolean": ("true/false", "是/否"),
    "date": ("a date", "日期"),
    "datetime": ("a date-time", "日期时间"),
    "list": ("a list", "列表"),
    "null": ("empty", "空值"),
    "any": ("any value", "任意值"),
}


class Messages:
    def __init__(self, lang: str) -> None:
        self.zh = lang.startswith("zh")

    def _pick(self, en: str, zh: str) -> str:
        return zh if self.zh else en

    def _type(self, name: str) -> str:
        en, zh = _TYPE_WORDS.get(name, (name, name))
        return self._pick(en, zh)

    def value(self, node: Any) -> str:
        """How a value is named in a message: the field, or the literal itself."""
        if isinstance(node, dict) and list(node) == ["var"]:
            raw = node["var"]
            name = raw[0] if isinstance(raw, list) and raw else raw
            return self._pick(f"the field {name}", f"字段 {name}")
        if isinstance(node, str):
            return self._pick(f'the text "{node}"', f"文本“{node}”")
        if isinstance(node, dict) and len(node) == 1:
            return self._pick(f"the result of {next(iter(node))}", f"{next(iter(node))} 的结果")
        return self._pick(f"the value {node!r}", f"值 {node!r}")

    def not_a_rule(self) -> str:
        return self._pick(
            'an object here must be one operator call, like {"==": [a, b]}',
            '这里的对象必须是一个运算，例如 {"==": [a, b]}',
        )

    def unknown_field(self, name: str, known: Sequence[str]) -> str:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        en, zh = f"there is no field {name}", f"没有字段 {name}"
        if close:
            en += f"; did you mean {close[0]}?"
            zh += f"，您是想用 {close[0]} 吗？"
        return self._pick(en, zh)

    def unknown_operator(self, op: str, known: Sequence[str]) -> str:
        close = difflib.get_close_matches(op, known, n=1, cutoff=0.6)
        en, zh = f"unknown operator '{op}'", f"未知运算“{op}”"
        if close:
            en += f"; did you mean '{close[0]}'?"
            zh += f"，您是想用“{close[0]}”吗？"
        return self._pick(en, zh)

    def not_allowed(self, op: str) -> str:
        return self._pick(f"the operator '{op}' is not supported here", f"这里不支持运算“{op}”")

    def no_sql(self, op: str, reason: str) -> str:
        return self._pick(
            f"'{op}' cannot be used in a filter or report: {reason}",
            f"“{op}”不能用于筛选或报表：{reason}",
        )

    def arity(self, op: str, low: int, high: int | None, count: int) -> str:
        if high is None:
            en, zh = f"at least {low}", f"至少 {low} 个"
        elif low == high:
            en, zh = f"{low}", f"{low} 个"
        else:
            en, zh = f"{low} to {high}", f"{low} 到 {high} 个"
        return self._pick(
            f"'{op}' takes {en} value{'' if high == 1 else 's'}, got {count}",
            f"“{op}”需要{zh}值，实际给了 {count} 个",
        )

    def mismatch(self, op: str, expected: str, what: str, actual: str) -> str:
        return self._pick(
            f"'{op}' needs {self._type(expected)} here, but {what} is {self._type(actual)}",
            f"“{op}”这里需要{self._type(expected)}，但{what} 是{self._type(actual)}",
        )

    def incomparable(self, left: str, left_type: str, right: str, right_type: str) -> str:
        types = {left_type, right_type}
        dated = bool(types & {"date", "datetime"}) and "text" in types
        hint_en = " (write dates as 2024-01-31)" if dated else ""
        hint_zh = "（日期请写成 2024-01-31）" if dated else ""
        return self._pick(
            f"cannot compare {left} ({self._type(left_type)}) with {right} "
            f"({self._type(right_type)}){hint_en}",
            f"无法比较{left}（{self._type(left_type)}）和{right}（{self._type(right_type)}）"
            f"{hint_zh}",
        )

    def unit(self, unit: str, units: Sequence[str]) -> str:
        return self._pick(
            f'unknown unit "{unit}"; use one of {", ".join(units)}',
            f"未知单位“{unit}”，请使用 {'、'.join(units)} 之一",
        )
