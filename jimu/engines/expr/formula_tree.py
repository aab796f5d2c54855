"""Turns the parse tree of a formula into the JsonLogic IR, checking function names and argument
counts on the way (all such problems are collected, not only the first)."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer

from jimu.engines.expr.formula_errors import FormulaProblem
from jimu.engines.expr.formula_functions import FUNCTIONS, BadArgument, is_number

# Operators whose chains are written flat: a + b + c → {"+": [a, b, c]}.
_FLAT = frozenset({"+", "*", "cat", "and", "or"})
_INFIX = {
    "||": "or",
    "&&": "and",
    "&": "cat",
    "+": "+",
    "-": "-",
    "*": "*",
    "/": "/",
    "%": "%",
    "=": "==",
    "==": "==",
    "<>": "!=",
    "!=": "!=",
    "===": "===",
    "!==": "!==",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
_COMPARISONS = frozenset({"==", "!=", "===", "!==", "<", "<=", ">", ">="})
_BETWEEN = frozenset({"<", "<="})
_KEYWORDS: dict[str, Any] = {"TRUE": True, "FALSE": False, "NULL": None}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}
_MAX_DIGITS = 308
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)|(\"\"|'')", re.DOTALL)


@dataclass(frozen=True)
class Node:
    """A piece of IR and where its text starts; ``grouped``: written in parentheses."""

    ir: Any
    line: int
    column: int
    grouped: bool = False


def _at(token: Token, ir: Any) -> Node:
    return Node(ir, token.line or 0, token.column or 0)


def decode_string(text: str) -> str:
    """The value of a quoted literal: backslash escapes (\\n, \\", \\u00e9 …) and, as in
    Excel, a doubled quote for a quote. An unknown escape keeps its backslash (``"\\d+"``)."""

    quote = text[0]

    def replace(match: re.Match[str]) -> str:
        code, doubled = match.group(1), match.group(2)
        if doubled:
            return quote if doubled[0] == quote else doubled
        if code.startswith("u") and len(code) == 5:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE.sub(replace, text[1:-1])


def decode_braced(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body).strip()


def _operator_of(node: Node) -> str | None:
    ir = node.ir
    if isinstance(ir, dict) and len(ir) == 1:
        return str(next(iter(ir)))
    return None


class ToIR(Transformer[Token, Node]):
    """Builds ``Node``s bottom-up; ``problems`` collects what is wrong."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[FormulaProblem] = []

    def _problem(self, node: Node | Token, en: str, zh: str) -> None:
        line = node.line if isinstance(node, Node) else node.line or 0
        column = node.column if isinstance(node, Node) else node.column or 0
        self.problems.append(FormulaProblem(line, column, en, zh))

    # -- literals and names -----------------------------------------------------------------

    def number(self, children: list[Token]) -> Node:
        text = str(children[0])
        # More digits than a double can hold is too large (and int() refuses 4,300+ digits).
        digits = text.lstrip("0") or "0" if text.isdigit() else ""
        too_long = len(digits) > _MAX_DIGITS
        value: int | float = 0 if too_long else int(digits) if digits else float(text)
        if too_long or value in (math.inf, -math.inf):
            self._problem(children[0], "this number is too large", "这个数字太大了")
            value = 0
        return _at(children[0], value)

    def string(self, children: list[Token]) -> Node:
        return _at(children[0], decode_string(str(children[0])))

    def name(self, children: list[Token]) -> Node:
        text = str(children[0])
        if text.upper() in _KEYWORDS:
            return _at(children[0], _KEYWORDS[text.upper()])
        return _at(children[0], {"var": text})

    def braced(self, children: list[Token]) -> Node:
        token = children[0]
        name = decode_braced(str(token))
        if not name:
            self._problem(
                token,
                "the braces { } are empty; put a field name inside",
                "大括号 { } 里缺少字段名",
            )
        return _at(token, {"var": name})

    def context(self, children: list[Token]) -> Node:
        return _at(children[0], {"var": str(children[0])})

    def arguments(self, children: list[Node | Token]) -> list[Node]:
        return [child for child in children if isinstance(child, Node)]

    def array(self, children: list[Any]) -> Node:
        items: list[Node] = children[1] or []
        return _at(children[0], [item.ir for item in items])

    def group(self, children: list[Any]) -> Node:
        inner: Node = children[1]
        return Node(inner.ir, children[0].line or 0, children[0].column or 0, grouped=True)

    # -- operators --------------------------------------------------------------------------

    def unary(self, children: list[Any]) -> Node:
        token: Token = children[0]
        operand: Node = children[1]
        sign = str(token)
        if sign == "!":
            return _at(token, {"!": [operand.ir]})
        if is_number(operand.ir):
            return _at(token, -operand.ir if sign == "-" else operand.ir)
        return _at(token, {sign: [operand.ir]})

    def binary(self, children: list[Any]) -> Node:
        left: Node = children[0]
        token: Token = children[1]
        right: Node = children[2]
        op = _INFIX[str(token)]
        if op in _COMPARISONS:
            return self._comparison(left, op, token, right)
        if op in _FLAT:
            return Node(
                {op: [*self._operands(op, left), *self._operands(op, right)]},
                left.line,
                left.column,
            )
        return Node({op: [left.ir, right.ir]}, left.line, left.column)

    @staticmethod
    def _operands(op: str, node: Node) -> list[Any]:
        if _operator_of(node) == op and isinstance(node.ir[op], list) and len(node.ir[op]) >= 2:
            return list(node.ir[op])
        return [node.ir]

    def _comparison(self, left: Node, op: str, token: Token, right: Node) -> Node:
        inner = _operator_of(left)
        if left.grouped or inner not in _COMPARISONS:
            return Node({op: [left.ir, right.ir]}, left.line, left.column)
        assert inner is not None
        operands = left.ir[inner]
        if op in _BETWEEN and inner == op and len(operands) == 2:
            return Node({op: [*operands, right.ir]}, left.line, left.column)
        self._problem(
            token,
            f"comparisons cannot be chained like this; write AND(a {token!s} b, b {token!s} c) "
            "or add parentheses",
            f"比较不能这样连写，请写成 AND(a {token!s} b, b {token!s} c) 或加上括号",
        )
        return Node({op: [left.ir, right.ir]}, left.line, left.column)

    # -- function calls ---------------------------------------------------------------------

    def call(self, children: list[Any]) -> Node:
        token: Token = children[0]
        args: list[Node] = children[2] or []
        name = str(token)
        function = FUNCTIONS.get(name.upper())
        if function is None:
            self._unknown_function(token, name)
            return _at(token, None)
        count = len(args)
        if count < function.min_args or (
            function.max_args is not None and count > function.max_args
        ):
            need_en, need_zh = function.arity_text()
            self._problem(
                token,
                f"{function.name} {need_en}, got {count}",
                f"{function.name} {need_zh}，实际给了 {count} 个",
            )
            return _at(token, None)
        values = [arg.ir for arg in args]
        if function.to_ir is not None:
            try:
                values = function.to_ir(values)
            except BadArgument as bad:
                self._problem(args[bad.index], bad.en, bad.zh)
        return _at(token, {function.op: values})

    def _unknown_function(self, token: Token, name: str) -> None:
        close = difflib.get_close_matches(name.upper(), list(FUNCTIONS), n=1, cutoff=0.6)
        en = f"Unknown function {name}."
        zh = f"未知函数 {name}。"
        if close:
            en += f" Did you mean {close[0]}?"
            zh += f"您是想用 {close[0]} 吗？"
        self._problem(token, en, zh)
