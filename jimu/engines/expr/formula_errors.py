"""The error a formula that cannot be parsed raises: every problem, with line, column and a
plain message in English and Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimu.engines.expr.errors import ExprError
from jimu.errors import FieldError


@dataclass(frozen=True)
class FormulaProblem:
    line: int
    column: int
    en: str
    zh: str

    @property
    def text_en(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.en}"

    @property
    def text_zh(self) -> str:
        return f"第 {self.line} 行第 {self.column} 列：{self.zh}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "message": self.text_en,
            "message_zh": self.text_zh,
        }


class FormulaSyntaxError(ExprError):
    """A formula that is not valid. ``problems`` lists all of them (a syntax error stops the
    parser at the first one; unknown functions and wrong argument counts are all reported).

    ``message`` is the English text, ``message_zh`` the Chinese; ``line``/``column`` are those
    of the first problem (1-based). ``extra["problems"]`` carries them all for the API.
    """

    def __init__(self, problems: list[FormulaProblem]) -> None:
        if not problems:
            raise ValueError("a FormulaSyntaxError needs at least one problem")
        super().__init__("\n".join(p.text_en for p in problems), error_type="Formula Syntax Error")
        self.problems = problems
        self.line = problems[0].line
        self.column = problems[0].column
        self.message_zh = "\n".join(p.text_zh for p in problems)
        self.code = "formula_syntax"
        self.errors = [FieldError("", p.text_en, "formula_syntax") for p in problems]
        self.extra = {
            "error_type": self.error_type,
            "message_zh": self.message_zh,
            "problems": [p.as_dict() for p in problems],
        }

    def __str__(self) -> str:
        return self.message

    def localized(self, lang: str) -> str:
        """The message in ``lang`` ("en" or "zh")."""
        return self.message_zh if lang.startswith("zh") else self.message
